"""`{% load pdf %}`: stylesheet rules that printed forms share."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def column_widths(table_class: str, *percents) -> str:
    """Widths of a form table's columns, in order, as CSS (inside the document's <style>)."""
    return mark_safe(
        "\n".join(  # nosec B308 B703: built from the template's own class name and numbers
            f"table.{table_class} col:nth-child({n}) {{ width: {float(p):g}%; }}" for n, p in enumerate(percents, 1)
        )
    )


@register.simple_tag
def fitted_columns(table_class: str, widths) -> str:
    """Widths in mm from portal.pdf.fitted_widths, as CSS for a fixed table layout."""
    rules = [f"table.{table_class} {{ table-layout: fixed; }}"]
    rules += [f"table.{table_class} col:nth-child({n}) {{ width: {float(w):g}mm; }}" for n, w in enumerate(widths, 1)]
    return mark_safe("\n".join(rules))  # nosec B308 B703: the template's own class name and numbers
