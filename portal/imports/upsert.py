"""Idempotent upsert on a natural key through a staging table, counting what changed.

Rows are written to a temporary table as they are validated, so an import holds one chunk
of rows in memory, never the whole file. The database then does the rest in set-based
statements: duplicates of the natural key in the file, the counts of new, changed and
unchanged rows, and one `INSERT … SELECT … ON CONFLICT … DO UPDATE` that rewrites only rows
that differ. SQLite and PostgreSQL share that syntax; PostgreSQL is fed with COPY.

Bandit's B608 (SQL built from strings) is accepted on the statements below: they are built
only from the model's own table and column names, quoted by the database backend, and
every value travels as a parameter.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, models, transaction

from .. import pagecache
from .rows import MAX_AUDITED_CHANGES, Counts, map_distinct


class Staging:
    """A temporary table shaped like the key and fields of `model`, plus the file's row number.

    `extra` values are written with every row but not compared (for example the batch that
    last wrote a row). Use as a context manager: the table is dropped on the way out.

    With `chunked` (PostgreSQL only), `counts` and `merge` see only the rows of the last
    `add`, so that a caller inside one transaction can merge chunk by chunk while the file
    is still being read; `duplicates` still sees the whole file, whose keys are kept in a
    table of their own. A chunk of new keys can also skip staging (`copy_new`).
    """

    def __init__(
        self,
        model,
        key_fields: list[str],
        update_fields: list[str],
        extra: dict | None = None,
        chunked: bool = False,
        cleared: list[str] | None = None,
    ):
        self.model = model
        self.key_fields = list(key_fields)
        self.update_fields = list(update_fields)
        self.extra = dict(extra or {})
        # Nullable fields every written row sets to NULL (a withdrawal's stamp): a row of the
        # file whose stored row has one set counts as changed, and the merge clears it.
        self.cleared = list(cleared or [])
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [fields[name] for name in self.key_fields + self.update_fields]
        self.adapters = [_adapter(f) for f in self.fields]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.stage = quote(f"_stage_{model._meta.db_table}")
        if chunked and connection.vendor != "postgresql":
            # Chunks go straight in with COPY; SQLite imports stage the whole file instead.
            raise ValueError("chunked staging is for PostgreSQL")
        self.chunked = chunked
        # Where counts and merge read: the last chunk, or everything staged.
        self.source = quote(f"_chunk_{model._meta.db_table}") if chunked else self.stage
        self.columns = [quote(f.column) for f in self.fields]
        self.key_columns = self.columns[: len(self.key_fields)]
        self.update_columns = self.columns[len(self.key_fields) :]
        # Inserted rows get the model's defaults for the columns the import does not set.
        written = set(self.key_fields + self.update_fields + self.cleared)
        self.constants = {name: value for name, value in self.extra.items()}
        self.constants.update(
            {
                name: f.get_default()
                for name, f in fields.items()
                if name not in written and name not in self.extra and not f.primary_key and f.has_default()
            }
        )
        self.constant_columns = [quote(fields[name].column) for name in self.constants]
        self.constant_values = [_adapter(fields[name])(value) for name, value in self.constants.items()]
        self.constant_texts = [_copy_text(value) for value in self.constant_values]
        self.constant_types = [fields[name].db_type(connection) for name in self.constants]
        self.cleared_fields = [fields[name] for name in self.cleared]
        self.cleared_columns = [quote(f.column) for f in self.cleared_fields]
        self.size = 0  # rows in `source`
        self._stage_indexed = False
        # COPY texts of values seen in earlier chunks, per column (people recur in every chunk).
        self._texts: list[dict] = [{} for _ in self.fields]

    # -- lifecycle -------------------------------------------------------------
    def __enter__(self) -> "Staging":
        definitions = ", ".join(f"{c} {f.db_type(connection)}" for c, f in zip(self.columns, self.fields))
        keys = ", ".join(f"{c} {f.db_type(connection)}" for c, f in zip(self.key_columns, self.fields))
        with connection.cursor() as cursor:
            for table in {self.stage, self.source}:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            if self.chunked:
                # The chunk is shaped like the rows COPY writes to the model's table (constants
                # included, no row number); the whole file's keys go to a table of their own.
                constants = "".join(f", {c} {t}" for c, t in zip(self.constant_columns, self.constant_types))
                cursor.execute(f"CREATE TEMPORARY TABLE {self.source} ({definitions}{constants})")
                cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} (_row integer, {keys})")
            else:
                cursor.execute(f"CREATE TEMPORARY TABLE {self.source} (_row integer, {definitions})")
        return self

    def __exit__(self, *exc_info) -> None:
        with connection.cursor() as cursor:
            for table in {self.stage, self.source}:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    # -- filling ---------------------------------------------------------------
    def prepare(self, numbers: list[int], columns: list[list]):
        """The database's form of rows given column by column: the file's row numbers, then
        the values of the key fields and the update fields, for `add_prepared`; needs no
        connection (see streaming.py)."""
        if not numbers:
            return None
        # Column by column, each distinct value converted once: a chunk repeats its dates and hours.
        if connection.vendor != "postgresql":
            return len(numbers), list(
                zip(numbers, *[_adapt_column(adapt, column) for adapt, column in zip(self.adapters, columns)])
            )
        # COPY's text format written by hand: psycopg's write_row (and executemany's round trip
        # per row) cost more than the rest of the import.
        row_numbers = list(map(str, numbers))
        texts = [_copy_column(column, memo) for column, memo in zip(columns, self._texts)]
        if not self.chunked:
            return len(numbers), _copy_lines(zip(row_numbers, *texts))
        constants = [[text] * len(numbers) for text in self.constant_texts]
        return (
            len(numbers),
            _copy_lines(zip(*texts, *constants)),
            _copy_lines(zip(row_numbers, *texts[: len(self.key_fields)])),
        )

    def add_prepared(self, prepared) -> None:
        if self.chunked and self.size:
            # TRUNCATE, not DELETE: a temporary table is never vacuumed, and the dead rows of
            # every earlier chunk would be scanned again.
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {self.source}")
            self.size = 0
        if prepared is None:
            return
        self.size += prepared[0]
        if self.chunked:
            self._copy(self.source, self.columns + self.constant_columns, prepared[1])
            self._copy(self.stage, ["_row", *self.key_columns], prepared[2])
        elif connection.vendor == "postgresql":
            self._copy(self.source, ["_row", *self.columns], prepared[1])
        else:
            names = ", ".join(["_row", *self.columns])
            marks = ", ".join(["%s"] * (len(self.columns) + 1))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.source} ({names}) VALUES ({marks})", prepared[1])  # nosec B608

    def copy_new(self, prepared) -> bool:
        """Chunked: COPY a prepared chunk straight into the model's table if none of its keys
        exists there yet (the fastest way in); False, with nothing written, if one does."""
        if prepared is None:
            return True
        try:
            with transaction.atomic(), connection.wrap_database_errors:  # a savepoint: undo only this
                self._copy(self.table, self.columns + self.constant_columns, prepared[1])
        except IntegrityError:
            return False
        self._copy(self.stage, ["_row", *self.key_columns], prepared[2])
        return True

    @staticmethod
    def _copy(table: str, columns: list[str], data: str) -> None:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        # psycopg's COPY on the raw cursor passes Django's execute wrappers by: noted here.
        pagecache.note_write(connection, sql)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(sql) as copy:
                copy.write(data)

    def add_dicts(self, rows: list[dict]) -> None:
        names = self.key_fields + self.update_fields
        self.add_prepared(self.prepare([0] * len(rows), [[row[n] for row in rows] for n in names]))

    # -- set-based checks and the write ----------------------------------------
    def duplicates(self) -> list[tuple[int, int]]:
        """(row, first row with the same key) for every repeat of a key within the file."""
        keys = ", ".join(self.key_columns)
        joined = self._same_key("s", "d")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s._row, d.first FROM {self.stage} s JOIN "  # nosec B608
                f"(SELECT {keys}, MIN(_row) AS first FROM {self.stage} GROUP BY {keys} HAVING COUNT(*) > 1) d "
                f"ON {joined} WHERE s._row > d.first ORDER BY s._row"
            )
            return cursor.fetchall()

    def counts(self) -> Counts:
        if not self.size:
            return Counts()
        joined = self._same_key("t", "s")
        changed = self._changed("t", "s") or "1 = 0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), "  # nosec B608
                f"COALESCE(SUM(CASE WHEN t.{self.key_columns[0]} IS NULL THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN t.{self.key_columns[0]} IS NOT NULL AND ({changed}) THEN 1 ELSE 0 END), 0) "
                f"FROM {self.source} s LEFT JOIN {self.table} t ON {joined}"
            )
            total, created, updated = cursor.fetchone()
        counts = Counts(created=created, updated=updated, unchanged=total - created - updated)
        if updated:
            self._list_changes(counts)
        return counts

    def _list_changes(self, counts: Counts) -> None:
        """For the import's audit entry: each changed row's key and the fields that change."""

        joined = self._same_key("t", "s")
        old = ", ".join(f"t.{c}" for c in self.update_columns + self.cleared_columns)
        # A chunk has no row numbers: its changes are listed in key order.
        order = ", ".join(f"s.{c}" for c in self.key_columns) if self.chunked else "s._row"
        new = ", ".join([f"s.{c}" for c in self.update_columns] + ["NULL"] * len(self.cleared_columns))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(f's.{c}' for c in self.key_columns)}, {old}, {new} FROM {self.source} s "  # nosec B608
                f"JOIN {self.table} t ON {joined} WHERE {self._changed('t', 's')} ORDER BY {order} "
                f"LIMIT {int(MAX_AUDITED_CHANGES)}"
            )
            found = cursor.fetchall()
        names = self.update_fields + self.cleared
        keys, fields = len(self.key_fields), len(names)
        readers = [_reader(f) for f in self.fields + self.cleared_fields]
        for row in found:
            values = [read(v) for read, v in zip(readers + readers[keys:], row)]
            key = dict(zip(self.key_fields, values[:keys]))
            before, after = values[keys : keys + fields], values[keys + fields :]
            differing = [i for i in range(fields) if before[i] != after[i]]
            counts.changed(key, {names[i]: before[i] for i in differing}, {names[i]: after[i] for i in differing})

    def merge(self) -> None:
        """Insert new rows and rewrite changed ones; equal rows are left alone."""
        if not self.size:
            return
        if self.update_columns or self.cleared_columns:
            sets = ", ".join(
                [f"{c} = EXCLUDED.{c}" for c in self.update_columns + self.constant_columns]
                + [f"{c} = NULL" for c in self.cleared_columns]
            )
            action = f"DO UPDATE SET {sets} WHERE {self._changed(self.table, 'EXCLUDED')}"  # nosec B608
        else:
            action = "DO NOTHING"
        with connection.cursor() as cursor:
            cursor.execute(self._insert_select(action), self.constant_values)

    def _insert_select(self, action: str) -> str:
        names = self.columns + self.constant_columns
        selected = self.columns + ["%s"] * len(self.constant_columns)
        # `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        return (
            f"INSERT INTO {self.table} ({', '.join(names)}) SELECT {', '.join(selected)} FROM {self.source} "  # nosec B608
            f"WHERE true ON CONFLICT ({', '.join(self.key_columns)}) {action}"
        )

    def _same_key(self, one: str, other: str) -> str:
        return " AND ".join(f"{one}.{c} = {other}.{c}" for c in self.key_columns)

    def _changed(self, old: str, new: str) -> str:
        """SQL true when the stored row `old` differs from the file's row `new` (or is to be
        restored: a cleared field is set)."""
        differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        return " OR ".join(
            [f"{old}.{c} {differs} {new}.{c}" for c in self.update_columns]
            + [f"{old}.{c} IS NOT NULL" for c in self.cleared_columns]
        )

    # -- a file complete over a window ------------------------------------------
    def _missing(self, window: "Window") -> tuple[str, list]:
        """A condition on the model's table (alias `t`) and its parameters: the rows that
        count (no cleared field set) of the people the file names, dated inside the window
        (both ends included), whose key the file does not hold.

        The file's keys are in `stage` whether chunks are merged as they come or not.
        """
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        quote = connection.ops.quote_name
        if not self._stage_indexed:
            # The staged keys are probed once per stored row of the people in the window: without
            # an index (and, on PostgreSQL, statistics: a temporary table is never analysed) that
            # was rows × file rows, 4 s for 5,000 on SQLite and 5 minutes for 50,000 on PostgreSQL.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE INDEX {quote(f'_stage_{self.model._meta.db_table}_key')} "
                    f"ON {self.stage} ({', '.join(self.key_columns)})"
                )
                if connection.vendor == "postgresql":
                    cursor.execute(f"ANALYZE {self.stage}")
            self._stage_indexed = True
        person, day = quote(fields[window.person].column), quote(fields[window.day].column)
        active = " AND ".join(f"t.{c} IS NULL" for c in self.cleared_columns) or "1 = 1"
        condition = (
            f"{active} AND t.{person} IN (SELECT {person} FROM {self.stage}) "  # nosec B608
            f"AND t.{day} BETWEEN %s AND %s "
            f"AND NOT EXISTS (SELECT 1 FROM {self.stage} s WHERE {self._same_key('s', 't')})"
        )
        adapt = _adapter(fields[window.day])
        return condition, [adapt(window.start), adapt(window.end)]

    def missing_count(self, window: "Window") -> int:
        """How many rows `withdraw` would mark."""
        condition, params = self._missing(window)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.table} t WHERE {condition}", params)  # nosec B608
            return cursor.fetchone()[0]

    def missing_rows(self, window: "Window", limit: int) -> list[dict]:
        """Up to `limit` of the rows `withdraw` would mark, in key order:
        [{"key": {field: value}, "values": {update field: value}}]."""
        condition, params = self._missing(window)
        selected = ", ".join(f"t.{c}" for c in self.key_columns + self.update_columns)
        order = ", ".join(f"t.{c}" for c in self.key_columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {self.table} t WHERE {condition} "  # nosec B608
                f"ORDER BY {order} LIMIT {int(limit)}",
                params,
            )
            return [self._key_and_values(row) for row in cursor.fetchall()]

    def partners(self, window: "Window", same: list[str], limit: int) -> list[dict]:
        """Up to `limit` keys of the file's rows that agree on the fields `same` with a row
        `withdraw` would mark (the other half of a correction): [{field: value}]."""
        condition, params = self._missing(window)
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        quote = connection.ops.quote_name
        alike = " AND ".join(f"t.{quote(fields[name].column)} = s.{quote(fields[name].column)}" for name in same)
        selected = ", ".join(f"s.{c}" for c in self.key_columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {selected} FROM {self.stage} s WHERE EXISTS "  # nosec B608
                f"(SELECT 1 FROM {self.table} t WHERE {alike} AND {condition}) "
                f"ORDER BY {selected} LIMIT {int(limit)}",
                params,
            )
            readers = [_reader(f) for f in self.fields[: len(self.key_fields)]]
            return [dict(zip(self.key_fields, (read(v) for read, v in zip(readers, row)))) for row in cursor.fetchall()]

    def withdraw(self, window: "Window", stamp: dict) -> int:
        """Set the cleared fields to `stamp` ({attname: value}, for example the time and the
        batch) on every row the file no longer holds (see `_missing`); returns how many."""
        condition, params = self._missing(window)
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(fields[name].column)} = %s" for name in stamp)
        values = [_adapter(fields[name])(value) for name, value in stamp.items()]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.table} AS t SET {sets} WHERE {condition}", values + params)  # nosec B608
            return cursor.rowcount

    def new_rows(self, limit: int) -> list[dict]:
        """Up to `limit` of the staged rows that would start to count: keys the table does not
        hold yet, and withdrawn ones the file restores; in file order (not chunked):
        [{"key": …, "values": …}]."""
        joined = self._same_key("t", "s")
        selected = ", ".join(f"s.{c}" for c in self.key_columns + self.update_columns)
        absent = " OR ".join(
            [f"t.{self.key_columns[0]} IS NULL"] + [f"t.{c} IS NOT NULL" for c in self.cleared_columns]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {self.source} s LEFT JOIN {self.table} t ON {joined} "  # nosec B608
                f"WHERE {absent} ORDER BY s._row LIMIT {int(limit)}"
            )
            return [self._key_and_values(row) for row in cursor.fetchall()]

    def _key_and_values(self, row) -> dict:
        values = [read(v) for read, v in zip(map(_reader, self.fields), row)]
        keys = len(self.key_fields)
        return {
            "key": dict(zip(self.key_fields, values[:keys])),
            "values": dict(zip(self.update_fields, values[keys:])),
        }


@dataclass(frozen=True)
class Window:
    """A file is complete for the people it names (`person`, an attname) over the dates
    `start` to `end` of the field `day`, both ends included."""

    person: str
    day: str
    start: dt.date
    end: dt.date


def bulk_upsert(
    model, rows: list[dict], key_fields: list[str], update_fields: list[str], extra: dict | None = None
) -> Counts:
    """Insert new rows, update changed ones, leave equal ones alone; rows as dicts by attname."""
    if not rows:
        return Counts()
    # The last of several rows with one key wins, as it would in a sequence of updates.
    unique = list({tuple(row[k] for k in key_fields): row for row in rows}.values())
    with Staging(model, key_fields, update_fields, extra) as staging:
        staging.add_dicts(unique)
        counts = staging.counts()
        staging.merge()
    return counts


def _identity(value):
    return value


def _reader(field):
    """The Python value of what the database returns for `field` (SQLite gives text and floats)."""
    if isinstance(field, models.DecimalField):
        quantum = Decimal(1).scaleb(-field.decimal_places)
        return lambda v: None if v is None else Decimal(str(v)).quantize(quantum)
    if isinstance(field, (models.DateField, models.TimeField)):  # DateTimeField is a DateField
        return lambda v: None if v is None else field.to_python(v)
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    return _identity


def _adapt_column(adapt, values: list):
    return values if adapt is _identity else map_distinct(adapt, values)


MEMO_LIMIT = 50_000

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format (dates, times and aware datetimes in ISO 8601)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    return str(value)  # int, Decimal


def _copy_lines(rows) -> str:
    return "\n".join(map("\t".join, rows)) + "\n"


def _copy_column(values: tuple, memo: dict) -> list[str]:
    """A column's COPY texts, each distinct value converted once; `memo` keeps them."""
    kinds = set(map(type, values))
    if bool in kinds and len(kinds - {bool, type(None)}) > 0:
        # True and 1 are equal keys with different texts: convert each.
        return list(map(_copy_text, values))
    if len(memo) > MEMO_LIMIT:
        memo.clear()
    for value in set(values).difference(memo):
        memo[value] = _copy_text(value)
    return list(map(memo.__getitem__, values))


def _adapter(field):
    """The database form of one value, done once per type rather than through each field."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.TimeField):
        return lambda v: None if v is None else ops.adapt_timefield_value(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return _identity
