"""Scheduled and follow-up jobs of the leave ledger; each calls one service."""

from celery import shared_task

from . import services


@shared_task(name="leave.grant_leave_everywhere")
def grant_leave_everywhere() -> int:
    """Nightly, and after every import that can change an entitlement: new grants written."""
    return sum(len(run.granted) for run in services.grant_leave_everywhere())


@shared_task(name="leave.lapse_leave")
def lapse_leave() -> int:
    """Nightly: lapse entries for hours past their last usable day."""
    return services.lapse_leave()
