"""Options the leave commands share."""

import datetime as dt

from django.core.management.base import CommandError

from portal.rocdate import RocDateError, parse_date
from programs.models import Plan


def as_of(value: str | None) -> dt.date | None:
    """`--as-of` as YYYY-MM-DD (or an ROC date such as 101/12/31); wrong usage exits 2."""
    if not value:
        return None
    try:
        return parse_date(value)
    except RocDateError:
        raise CommandError(f"--as-of 須為日期（YYYY-MM-DD 或民國年月日）：{value}", returncode=2) from None


def plan(slug: str) -> Plan:
    found = Plan.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"找不到計畫：{slug}（請先執行 load_plans）", returncode=2)
    return found
