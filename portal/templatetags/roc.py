from django import template

from portal import nationalid, rocdate

register = template.Library()


@register.filter
def roc(value) -> str:
    """`103年8月31日`"""
    return rocdate.to_roc_long(value)


@register.filter
def roc_short(value) -> str:
    """`103/08/31`"""
    return rocdate.to_roc_short(value)


@register.filter
def masked_id(value) -> str:
    return nationalid.mask(value)
