"""A person's compensatory leave as their own page shows it (the `leave` section of /incentives/me/)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from portal import clock
from portal.models import Employee

from . import queries
from .models import Application, Entry
from .rules import grant_figures, usable_on

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
    """The employee's leave as of today, from the ledger's figures (right whether or not the lapse job ran).

    Two queries (issue 20): every grant of the person with its charges summed — the figures
    `queries.grant_lines` gives for grants earned by today, and the balance
    `services.balance` gives (what each grant usable today has left) — and the applications.
    """
    today = clock.today()
    grants = list(
        queries.with_charges(Entry.objects.filter(employee=employee, kind=Entry.Kind.GRANT)).annotate(
            charged=Sum("charges__hours", default=ZERO)
        )
    )
    earned = used = lapsed = balance = ZERO
    current = []
    for grant in grants:
        if grant.earned_on is not None and grant.earned_on <= today:  # as grant_lines(today) reads them
            figures = grant_figures(grant.hours, -grant.withdrawn_sum, -grant.used_sum, grant.usable_until, today)
            earned, used, lapsed = earned + figures.hours, used + figures.used, lapsed + figures.lapsed
            if figures.remaining > 0:
                current.append((grant.usable_until, figures.remaining))
        if usable_on(grant.earned_on, grant.usable_until, today):  # as services.balance counts
            balance += grant.hours + grant.charged
    applications = list(
        Application.objects.filter(employee=employee).select_related("plan").order_by("-leave_date", "-pk")
    )
    return LeaveSummary(
        today=today,
        balance=balance,
        earned=earned,
        used=used,
        lapsed=lapsed,
        next_lapse=min(current) if current else None,
        applications=applications,
    )
