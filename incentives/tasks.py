"""Celery tasks of the incentives app (thin: IDs in, a service out)."""

import datetime as dt

from celery import shared_task

from programs.models import Plan

from .evaluation import evaluate_chunk_json


@shared_task(name="incentives.evaluate_chunk", ignore_result=False, acks_late=True, reject_on_worker_lost=True)
def evaluate_chunk(plan_id: int, as_of: str, after: str, size: int, shared: dict) -> list[dict]:
    """One chunk of `evaluate --workers`: the JSON entries of `size` employees after `after`.

    Idempotent (it only reads), so a chunk a dying worker leaves is simply run again.
    """
    plan = Plan.objects.get(pk=plan_id)
    return evaluate_chunk_json(plan, dt.date.fromisoformat(as_of), after, size, shared)
