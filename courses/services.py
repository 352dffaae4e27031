"""State changes of the courses side."""

import logging
from pathlib import Path

from django.conf import settings

from .models import CalendarDay

log = logging.getLogger(__name__)

CALENDAR_DIR = Path(settings.BASE_DIR) / "fixtures" / "calendar"


def load_shipped_calendars() -> list[int]:
    """Load the calendars the portal ships for years not in the database yet.

    Years already present are left alone, so corrections HR imported are never overwritten.
    """
    from .importers import CalendarImporter

    present = {d.year for d in CalendarDay.objects.dates("date", "year")}
    loaded = []
    for path in sorted(CALENDAR_DIR.glob("*.csv")):
        year = int(path.stem.rsplit("-", 1)[-1])
        if year in present:
            continue
        result = CalendarImporter().run(path.read_bytes(), path.name)
        if not result.ok:  # a shipped file is ours: a failure here is a bug worth stopping for
            raise RuntimeError(f"{path.name}: {result.errors[:3]}")
        loaded.append(year)
    if loaded:
        log.info("office calendars loaded for %s", ", ".join(map(str, loaded)))
    return loaded
