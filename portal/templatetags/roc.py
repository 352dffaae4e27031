"""`{% load roc %}`: ROC dates and masked national IDs in templates."""

from django import template

from portal import nationalid, rocdate

register = template.Library()


@register.filter
def roc(value) -> str:
    """`103年8月31日`; "" for anything that is not a date (template filters fail silently)."""
    try:
        return rocdate.to_roc_long(value)
    except (TypeError, ValueError):
        return ""


@register.filter
def roc_short(value) -> str:
    """`103/08/31`; "" for anything that is not a date."""
    try:
        return rocdate.to_roc_short(value)
    except (TypeError, ValueError):
        return ""


@register.filter
def roc_datetime(value) -> str:
    """`103/07/20 21:30` in Asia/Taipei (portal.admin_display.roc_datetime); "" for anything else."""
    from portal.admin_display import roc_datetime as shown

    try:
        return shown(value)
    except (TypeError, ValueError, AttributeError):
        return ""


@register.filter
def masked_id(value) -> str:
    """`A12****789`, whoever is looking; use people.national_id_for_user to show HR the full ID."""
    return nationalid.mask(value)


@register.filter
def roc_year(value) -> str:
    """A Gregorian year (2014) as its ROC year (103)."""
    try:
        return str(int(value) - rocdate.ROC_OFFSET)
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def pinned_today():
    """The date a demo pins "today" to (PORTAL_TODAY), or None."""
    from portal import clock

    return clock.pinned()
