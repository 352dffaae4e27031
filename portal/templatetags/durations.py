"""`{% load durations %}`: a length of time as people say it (30 分鐘, 1 小時 30 分鐘)."""
import datetime as dt

from django import template

register = template.Library()


@register.filter
def zh_duration(value) -> str:
    """A timedelta as 「1 小時 30 分鐘」; "" for anything else (template filters fail silently)."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} 天" if days else "", f"{hours} 小時" if hours else "", f"{minutes} 分鐘" if minutes else ""]
    return " ".join(p for p in parts if p) or "不到 1 分鐘"
