"""Bulk lookups importers share, each a fixed number of queries per file."""

import unicodedata

from django.db import connection
from django.utils.translation import gettext as _

from portal.models import Employee

from .base import Chunk, Importer, Row, RowError

CHUNK = 5000


def chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def employees_by_national_id(national_ids) -> dict[str, int]:
    """national ID → employee id, in one query per 5,000 IDs."""
    found: dict[str, int] = {}
    for part in chunks(set(national_ids)):
        if connection.vendor == "postgresql":
            # One array parameter: building and parsing 5,000 placeholders cost more than the query.
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(Employee._meta.db_table)
                cursor.execute(
                    f"SELECT national_id, id FROM {table} "  # nosec B608: the model's own table
                    "WHERE national_id = ANY(%s)",
                    [part],
                )
                found.update(cursor.fetchall())
        else:
            found.update(Employee.objects.filter(national_id__in=part).values_list("national_id", "id"))
    return found


def resolve_employees(chunk: Chunk, known: dict[str, int], column: str = "身分證字號") -> None:
    """Add the column `employee_id`; rows of people not on the roster are errors.

    `known` carries the IDs already found from chunk to chunk of one file, so that each
    person is looked up once per file.
    """
    national_ids = chunk["national_id"]
    wanted = set(national_ids).difference(known)
    if wanted:
        known.update(employees_by_national_id(wanted))
    chunk["employee_id"] = employee_ids = list(map(known.get, national_ids))
    if None in employee_ids:
        chunk.fail(column, _("不在人員名冊中，請先匯入名冊"), [e is None for e in employee_ids])


def _comparable(name: str) -> str:
    """A name as written, less the differences of typing: width (NFKC) and spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def name_mismatches(chunk: Chunk, roster_names: dict[int, str]) -> list[dict]:
    """The rows whose 姓名 is not the roster's name for their 身分證字號: an ID typed against
    another person's name. A warning, not an error (the row is still imported). One query per
    chunk at most; `roster_names` carries the names found from chunk to chunk."""
    pairs = [
        (number, employee_id, name)
        for number, employee_id, name in zip(chunk.numbers, chunk["employee_id"], chunk["name"])
        if employee_id is not None and name
    ]
    wanted = {employee_id for _number, employee_id, _name in pairs}.difference(roster_names)
    if wanted:
        roster_names.update(Employee.objects.filter(pk__in=wanted).values_list("pk", "name"))
    return [
        {"row": number, "key": {"employee_id": employee_id}, "name": name}
        for number, employee_id, name in pairs
        if _comparable(name) != _comparable(roster_names.get(employee_id, name))
    ]


class PeopleImporter(Importer):
    """Rows about employees on the roster, named by 身分證字號 (column key `national_id`):
    each chunk gets the column `employee_id`, each person looked up once per file."""

    def __init__(self, options=None):
        super().__init__(options)
        self.employee_ids: dict[str, int] = {}
        self.roster_names: dict[int, str] = {}

    def validate_chunk(self, chunk: Chunk) -> None:
        resolve_employees(chunk, self.employee_ids)
        if "name" in chunk.columns:
            self.warnings += name_mismatches(chunk, self.roster_names)


def reject_duplicate_keys(rows: list[Row], errors: list[RowError], key, column: str) -> None:
    """The same natural key twice in one file is a mistake the user should see."""
    seen: dict = {}
    for row in rows:
        k = key(row.values)
        if k in seen:
            errors.append(RowError(row.number, column, _("與第 %(n)d 列重複") % {"n": seen[k]}))
        else:
            seen[k] = row.number
