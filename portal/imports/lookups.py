"""Bulk lookups importers share, each a fixed number of queries per file."""
from django.db import connection
from django.utils.translation import gettext as _

from portal.models import Employee

from .base import Row, RowError

CHUNK = 5000


def chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def employees_by_national_id(national_ids) -> dict[str, int]:
    """national ID → employee id, in one query per 5,000 IDs."""
    found: dict[str, int] = {}
    for part in chunks(set(national_ids)):
        if connection.vendor == "postgresql":
            # One array parameter: building and parsing 5,000 placeholders cost more than the query.
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(Employee._meta.db_table)
                cursor.execute(f"SELECT national_id, id FROM {table} "  # nosec B608: the model's own table
                               "WHERE national_id = ANY(%s)", [part])
                found.update(cursor.fetchall())
        else:
            found.update(Employee.objects.filter(national_id__in=part).values_list("national_id", "id"))
    return found


def resolve_employees(rows: list[Row], errors: list[RowError], column: str = "身分證字號",
                      known: dict[str, int] | None = None) -> None:
    """Set `employee_id` on every row; rows of people not on the roster are errors.

    `known` carries the IDs already found from chunk to chunk of one file, so that each
    person is looked up once per file.
    """
    known = {} if known is None else known
    wanted = {r.values["national_id"] for r in rows} - known.keys()
    if wanted:
        known.update(employees_by_national_id(wanted))
    for row in rows:
        employee_id = known.get(row.values["national_id"])
        if employee_id is None:
            errors.append(RowError(row.number, column, _("不在人員名冊中，請先匯入名冊")))
        row.values["employee_id"] = employee_id


def reject_duplicate_keys(rows: list[Row], errors: list[RowError], key, column: str) -> None:
    """The same natural key twice in one file is a mistake the user should see."""
    seen: dict = {}
    for row in rows:
        k = key(row.values)
        if k in seen:
            errors.append(RowError(row.number, column, _("與第 %(n)d 列重複") % {"n": seen[k]}))
        else:
            seen[k] = row.number
