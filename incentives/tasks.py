"""Jobs of the incentives side; each calls one service."""

from celery import shared_task

from . import refresh


@shared_task(name="incentives.refresh_standings")
def refresh_standings(plan_id: int) -> int:
    """One plan's stored standings (after an import or a rule change, or on request)."""
    from programs.models import Plan

    plan = Plan.objects.filter(pk=plan_id).first()
    return refresh.refresh_standings(plan) if plan else 0


@shared_task(name="incentives.refresh_standings_everywhere")
def refresh_standings_everywhere() -> int:
    """Nightly: every plan's stored standings."""
    return sum(refresh.refresh_everywhere().values())
