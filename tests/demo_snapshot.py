"""The demo built once per test run, and put back for each test that needs it.

`load_demo` builds the demo through the imports, the commands and the pages (about ten seconds);
tests/test_demo.py checks that build. Tests that only need the demo in place (the browser's
accessibility walks, which also change it: they apply for leave, approve, nominate) get the rows
the first build left, restored before each of them: every table emptied, then every row put back
with its own primary key, as if `load_demo` had just run.
"""

import datetime as dt
import io

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

_ROWS: dict[str, tuple[list[str], list[tuple]]] = {}


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _copy() -> dict[str, tuple[list[str], list[tuple]]]:
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # nosec B608 - Django's own table names
            rows[table] = ([column[0] for column in cursor.description], [_raw(row) for row in cursor.fetchall()])
    return rows


def _raw(row: tuple) -> tuple:
    """A row as the database takes it back (SQLite's driver reads times and dates but cannot write them)."""
    ops = connection.ops
    adapt = {
        dt.datetime: ops.adapt_datetimefield_value,
        dt.date: ops.adapt_datefield_value,
        dt.time: ops.adapt_timefield_value,
    }
    return tuple(adapt[type(value)](value) if type(value) in adapt else value for value in row)


def _put_back(rows: dict[str, tuple[list[str], list[tuple]]]) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic():  # foreign keys are checked at the commit (deferred on both databases)
        with connection.cursor() as cursor:
            for statement in connection.ops.sql_flush(no_style(), _tables(), allow_cascade=True):
                cursor.execute(statement)
            for table, (columns, values) in rows.items():
                if values:
                    names = ", ".join(quote(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)  # nosec B608
    # The content types come back with the demo's primary keys, not those the last flush made.
    ContentType.objects.clear_cache()


def load_demo() -> None:
    """The demo, as `load_demo` leaves it: built the first time, put back after that."""
    if _ROWS:
        _put_back(_ROWS)
    else:
        call_command("load_demo", stdout=io.StringIO())
        _ROWS.update(_copy())
