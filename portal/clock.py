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
