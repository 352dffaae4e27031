"""Today's date for the people's side, which a demo may pin to a date inside its data.

`PORTAL_TODAY=2014-07-15` (an ISO date) makes every page that depends on today — leave
balances, what lapses, what may still be cancelled — behave as on that day, so the demo
government (whose data is of 103) reads as it would in mid-103. Unset in production.
"""

import datetime as dt

from django.conf import settings


def pinned() -> dt.date | None:
    value = getattr(settings, "PORTAL_TODAY", "") or ""
    return dt.date.fromisoformat(value) if value else None


def today() -> dt.date:
    return pinned() or dt.date.today()


def now() -> dt.datetime:
    """The moment a person acts (aware): the real time, on the pinned day when one is pinned.

    What a person did is dated with it (an application's submission, a supervisor's 核章, an
    order's filing), so a demo pinned to 103/07/15 does not print approvals twelve years
    after the form's own date. Unpinned, it is `timezone.now()`. The audit trail keeps the
    real time.
    """
    from django.utils import timezone

    moment = timezone.now()
    day = pinned()
    if day is None:
        return moment
    return timezone.localtime(moment).replace(year=day.year, month=day.month, day=day.day)
