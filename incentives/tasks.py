"""Celery tasks of the incentives app (thin: IDs in, a service out)."""

import datetime as dt

from celery import shared_task

from programs.models import Plan

from . import refresh
from .evaluation import evaluate_chunk_json


@shared_task(name="incentives.evaluate_chunk", ignore_result=False, acks_late=True, reject_on_worker_lost=True)
def evaluate_chunk(plan_id: int, as_of: str, after: str, size: int, shared: dict) -> list[dict]:
    """One chunk of `evaluate --workers`: the JSON entries of `size` employees after `after`.

    Idempotent (it only reads), so a chunk a dying worker leaves is simply run again.
    """
    plan = Plan.objects.get(pk=plan_id)
    return evaluate_chunk_json(plan, dt.date.fromisoformat(as_of), after, size, shared)


@shared_task(name="incentives.refresh_standings")
def refresh_standings(plan_id: int) -> int:
    """One plan's stored standings (after an import or a rule change, or on request)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    return refresh.refresh_standings(plan) if plan else 0


@shared_task(name="incentives.refresh_standings_everywhere")
def refresh_standings_everywhere() -> int:
    """Nightly: every plan's stored standings."""
    return sum(refresh.refresh_everywhere().values())
