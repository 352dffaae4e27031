"""The rule form's fields are named by their schema paths (tiers.0.min), which templates cannot dot into."""

from django import template

register = template.Library()


@register.filter
def field(form, name):
    """The bound field `name` of `form`."""
    return form[name]


@register.filter
def split_tabs(line: str) -> list[str]:
    """A draw's chance line as its fields (agency, name, masked ID, course, date, chance number)."""
    return str(line).split("\t")
