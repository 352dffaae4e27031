"""Reading numbers people typed into a URL or a form, safely.

A query string is whatever someone types: `?agency=` followed by 23 digits, `-1`, `abc`,
a NUL byte, or `²` (str.isdigit() accepts it, int() refuses it). A value that is not a
whole number inside the database's range is treated as absent, so the page shows its
unfiltered view instead of a 500.
"""

# PostgreSQL bigint and SQLite INTEGER are both signed 64-bit (ids are BigAutoField).
MAX_DB_INT = 2**63 - 1


def parse_int(text, *, minimum: int = 1, maximum: int = MAX_DB_INT) -> int | None:
    """`text` as an int in [minimum, maximum], or None for anything else.

    Only ASCII digits with an optional leading minus are read: full-width and superscript
    digits, signs in the middle, NUL bytes and blanks give None; nothing raises.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    digits = text[1:] if text.startswith("-") else text
    # 19 digits reach past 2**63; anything longer is out of range without converting it.
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def query_int(query, name: str, **bounds) -> int | None:
    """`parse_int` of one parameter of a QueryDict (request.GET, request.POST); None if absent."""
    return parse_int(query.get(name, ""), **bounds)


def ids(values) -> list[int]:
    """The valid ids among `values` (a form's checkboxes: request.POST.getlist("employee"))."""
    return [pk for pk in map(parse_int, values) if pk is not None]
