"""A person's compensatory leave as their own page shows it (the `leave` section of /incentives/me/)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from portal import clock
from portal.models import Employee

from . import queries, services
from .models import Application

ZERO = Decimal(0)


@dataclass
class LeaveSummary:
    """Hours as of `today`: balance, earned (net of withdrawals), used, lapsed; the earliest lapse ahead."""

    today: dt.date
    balance: Decimal
    earned: Decimal
    used: Decimal
    lapsed: Decimal
    next_lapse: tuple | None  # (date, hours) of the earliest hours still to lapse
    applications: list[Application]


def leave_summary(employee: Employee) -> LeaveSummary:
    """The employee's leave as of today, from the ledger's figures (right whether or not the lapse job ran)."""
    today = clock.today()
    lines = queries.grant_lines(today, employees=[employee.pk])
    earned = sum((line.figures.hours for line in lines), ZERO)
    used = sum((line.figures.used for line in lines), ZERO)
    lapsed = sum((line.figures.lapsed for line in lines), ZERO)
    current = [(line.entry.usable_until, line.figures.remaining) for line in lines if line.figures.remaining > 0]
    applications = list(
        Application.objects.filter(employee=employee).select_related("plan").order_by("-leave_date", "-pk")
    )
    return LeaveSummary(
        today=today,
        balance=services.balance(employee, today),
        earned=earned,
        used=used,
        lapsed=lapsed,
        next_lapse=min(current) if current else None,
        applications=applications,
    )
