"""`{% load durations %}`: a length of time as people say it (30 分鐘, 1 小時 30 分鐘)."""

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def zh_duration(value) -> str:
    """A timedelta as 「1 小時 30 分鐘」; "" for anything else (template filters fail silently)."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [
        _("%(n)d 天") % {"n": days} if days else "",
        _("%(n)d 小時") % {"n": hours} if hours else "",
        _("%(n)d 分鐘") % {"n": minutes} if minutes else "",
    ]
    return " ".join(p for p in parts if p) or _("不到 1 分鐘")
