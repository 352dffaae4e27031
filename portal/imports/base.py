"""The importer skeleton: read, validate every row, then apply all or nothing."""
import contextlib
import gc
import hashlib
import itertools
from abc import ABC
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from portal import nationalid

from .columns import Column, cell_text, header_key, is_blank_row
from .readers import FileFormatError, read_table

# Rows are read, cleaned, checked and staged this many at a time: memory stays flat.
CHUNK = 10000

# A file with more problems than this is clearly the wrong file; listing the rest helps nobody.
MAX_ERRORS = 5000
MAX_WARNINGS = 5000  # rows listed whose 姓名 differs from the roster's


@dataclass
class RowError:
    """One problem of an uploaded file: file row (0: the file as a whole), column, message.

    Every error of every importer is one of these, so this is where personal data leaves
    them: a message quoting a cell ("無法辨識的日期：「E110001158」", a shifted column) has
    every ID-shaped word masked (DOMAIN.md: IDs never in error messages), whatever column
    the cell sat in.
    """

    row: int
    column: str
    message: str

    def __post_init__(self):
        self.message = nationalid.redact(str(self.message))

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


# The audit entry of an import keeps the before/after values of this many changed rows;
# past that it keeps their number (each imported row also points at its batch).
MAX_AUDITED_CHANGES = 1000


# An import batch's report lists this many additions, withdrawals and corrections each.
REPORT_ROWS = 200


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows that existed and were changed or removed: {"key": …, "before": …, "after": …}.
    changes: list = field(default_factory=list)
    # Rows that count no longer because a file complete over a window (Upsert.window) does
    # not hold them; they are kept, stamped, for the audit trail.
    withdrawn: int = 0
    # Up to MAX_AUDITED_CHANGES of them: {"key": …, "values": values before}.
    withdrawals: list = field(default_factory=list)
    # A withdrawn row and a row of the file that agree on Upsert.correction_fields:
    # {"key": withdrawn key, "values": its values before, "after_key": the file's key}.
    corrections: list = field(default_factory=list)
    # Dry runs of importers with Upsert.cleared only: up to REPORT_ROWS rows of the file that
    # would start to count (new keys and withdrawn ones restored): {"key": …, "values": …}.
    additions: list = field(default_factory=list)

    def __iadd__(self, other: "Counts"):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes = (self.changes + other.changes)[:MAX_AUDITED_CHANGES]
        self.withdrawn += other.withdrawn
        self.withdrawals = (self.withdrawals + other.withdrawals)[:MAX_AUDITED_CHANGES]
        self.corrections = (self.corrections + other.corrections)[:MAX_AUDITED_CHANGES]
        self.additions = (self.additions + other.additions)[:REPORT_ROWS]
        return self

    def changed(self, key: dict, before: dict, after: dict | None) -> None:
        if len(self.changes) < MAX_AUDITED_CHANGES:
            self.changes.append({"key": key, "before": before, "after": after})


@dataclass(slots=True)
class Row:
    number: int
    values: dict


@dataclass
class Chunk:
    """Up to CHUNK rows of a file, held column by column.

    `chunk[key][i]` is the value of column `key` in file row `numbers[i]`. Checks add to
    `errors` with `fail`; `drop_failed` then takes the rows with a problem out of every
    column, so that later checks see clean values only (their problems stay in `errors`).
    Column-wise, an import builds no dictionary per row: the columns go to the database
    as they are.
    """

    numbers: list[int]
    columns: dict[str, list]
    errors: list[RowError] = field(default_factory=list)
    # The chunk's rows in the file, failed ones included (blank rows are not rows).
    read: int = field(init=False)

    def __post_init__(self):
        self.read = len(self.numbers)

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, key: str) -> list:
        return self.columns[key]

    def __setitem__(self, key: str, values) -> None:
        self.columns[key] = values if isinstance(values, list) else list(values)

    def fail(self, column: str, message: str, flags) -> None:
        """Report `message` under `column` for every row whose flag (in row order) is true."""
        for number in itertools.compress(self.numbers, flags):
            if len(self.errors) >= MAX_ERRORS:
                break
            self.errors.append(RowError(number, column, message))

    def mapped(self, function, key: str) -> list:
        """`function` of each value of a column, called once per distinct value."""
        return map_distinct(function, self.columns[key])

    def drop_failed(self) -> None:
        if not self.errors:
            return
        bad = {e.row for e in self.errors}
        keep = [number not in bad for number in self.numbers]
        if all(keep):
            return
        self.numbers = list(itertools.compress(self.numbers, keep))
        self.columns = {key: list(itertools.compress(values, keep)) for key, values in self.columns.items()}

    def rows(self) -> list[Row]:
        keys = list(self.columns)
        return [Row(number, dict(zip(keys, values)))
                for number, values in zip(self.numbers, zip(*self.columns.values()))]


@dataclass
class ImportResult:
    ok: bool
    total_rows: int = 0
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Warnings do not stop an import: rows whose 姓名 differs from the roster's name for that ID,
    # each {"row": n, "key": {"employee_id": id}, "name": the file's name} (no national ID).
    warnings: list = field(default_factory=list)


class _DryRunRollback(Exception):
    pass


@contextlib.contextmanager
def _no_cycle_collection():
    """Pause Python's cycle collector while a file is imported.

    An import keeps a few hundred thousand small objects alive at once (cells, rows, the
    remembered clean values), and every full pass of the collector walks all of them: that
    was a third of an import's time. Rows, cells and values hold no reference cycles, so
    reference counting frees them without the collector. Turned back on afterwards unless
    something else had turned it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def serialise_kind(kind: str) -> None:
    """Wait for, then hold until the current transaction ends, the lock of imports of `kind`.

    Two imports of the same kind at once (the same file submitted twice) would both compare
    the file with the table as it was before either wrote, and both report creating every
    row: counts and the audit trail would be wrong though the data is right. Under this
    lock the second compares with what the first committed and reports its rows unchanged.
    PostgreSQL: a transaction-level advisory lock on a stable 64-bit hash of the kind
    (Python's hash() changes between processes, and the workers are processes). SQLite
    serialises writers by itself: nothing to do. Must be called inside `transaction.atomic`.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("serialise_kind() holds its lock until the transaction ends: call it inside atomic()")
    digest = hashlib.blake2b(f"portal.import:{kind}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def map_distinct(function, values: list) -> list:
    """`function` of each value, called once per distinct value: an export repeats its
    people, dates, hours and course names thousands of times."""
    memo = {value: function(value) for value in set(values)}
    return list(map(memo.__getitem__, values))


def batched(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


@dataclass
class Upsert:
    """Where a streamed importer's rows go: a model, its natural key and the fields compared.

    Its rows never gather in memory: each cleaned chunk is staged in a temporary table,
    duplicates are found there, and one statement merges it into the model's table.
    """

    model: type
    key: list[str]
    fields: list[str]
    duplicate_column: str
    # Nullable fields that mark a row withdrawn (the first: when). A row of the file clears
    # them (restores the row); with a window (`Importer.window`), rows the file no longer
    # holds get them set. Empty: the model has no withdrawals.
    cleared: list[str] = field(default_factory=list)
    # A withdrawn row and a row of the file equal on these fields make one correction.
    correction_fields: list[str] = field(default_factory=list)


class Importer(ABC):
    """Subclasses declare `kind`, `label` and `columns`, and either `upsert` or `apply`.

    Rows are read and cleaned in chunks (`Chunk`) of CHUNK rows, column by column;
    `check_columns` checks across columns and `validate_chunk` against the database, each
    on the rows still clean. Then:
    - importers that declare `upsert` (an Upsert) stream (streaming.py): each chunk's
      columns are staged and merged inside one transaction that commits only if the whole
      file is valid;
    - the others collect every row: `validate(rows, errors)` checks across rows and
      `apply(rows)` writes them inside one transaction, returning Counts.
    Either way nothing is written unless every row is valid.
    """

    kind: str = ""
    label: str = ""
    columns: list[Column] = []
    upsert: Upsert | None = None
    # The option `period` (START:END) is accepted: see `window`.
    takes_period: bool = False

    def __init__(self, options: dict | None = None):
        self.options = options or {}
        self.warnings: list[dict] = []

    # -- hooks -----------------------------------------------------------------
    def check_columns(self, chunk: Chunk) -> None:
        """Cross-column checks of a chunk's clean rows, column by column (`chunk.fail`), and
        the values derived from them (`chunk[key] = …`). Plain Python: no database."""

    def validate_chunk(self, chunk: Chunk) -> None:
        """Checks of a chunk's clean rows against the database, in a fixed number of queries."""

    def validate(self, rows: list[Row], errors: list[RowError]) -> None:
        """Checks across all rows (importers without `upsert`)."""

    def window(self):
        """The `upsert.Window` over which the file is complete for the people it names, or
        None (the default: a file only adds and changes). Importers with `upsert.cleared`."""
        return None

    def withdrawal_stamp(self) -> dict:
        """{cleared field: value} written on the rows a complete file withdraws."""
        return {}

    # `apply(rows) -> Counts`, for importers without `upsert`: write the rows inside the
    # import's transaction and count what changed. __init_subclass__ checks one is given.

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A concrete importer (one with a kind) says where its rows go, either way.
        if cls.kind and cls.upsert is None and not callable(getattr(cls, "apply", None)):
            raise TypeError(f"{cls.__name__}: declare `upsert` or write `apply(rows)`")

    # -- machinery -------------------------------------------------------------
    def run(self, data: bytes, file_name: str = "", *, dry_run: bool = False,
            progress: Callable[[int], None] | None = None,
            on_applied: Callable[[ImportResult], None] | None = None) -> ImportResult:
        """`on_applied` runs inside the import's transaction once the rows are written (never on
        a dry run), so what it records (the audit entry) commits or rolls back with the rows."""
        with _no_cycle_collection():
            result = self._run(data, file_name, dry_run, progress or (lambda percent: None), on_applied)
        result.warnings = self.warnings[:MAX_WARNINGS]
        return result

    def _run(self, data, file_name, dry_run, progress, on_applied) -> ImportResult:
        errors: list[RowError] = []
        try:
            table = read_table(data, file_name)
            mapping = self._map_headers(table.headers, errors)
            if errors:
                return ImportResult(ok=False, errors=errors, dry_run=dry_run)
            chunks = self._clean_chunks(table, mapping, progress)
            if self.upsert is not None:
                from .streaming import run_streamed  # streaming.py builds on this module

                return run_streamed(self, chunks, dry_run, on_applied, progress)
            rows, total = [], 0
            for chunk in chunks:
                total += chunk.read
                self.validate_clean_rows(chunk)
                rows.extend(chunk.rows())
                errors.extend(chunk.errors[:MAX_ERRORS - len(errors)])
        except FileFormatError as exc:
            return ImportResult(ok=False, errors=[RowError(0, "", str(exc))], dry_run=dry_run)
        if not total and not errors:
            errors.append(RowError(0, "", _("檔案沒有任何資料列。")))
        # Cross-row checks see only rows that are clean so far, so that every problem of the
        # file is reported at once without follow-on noise.
        self.validate(rows, errors)
        if errors:
            return self.rejected(errors, total, dry_run)
        progress(70)
        counts = self._apply(rows, dry_run, on_applied)
        progress(100)
        return ImportResult(ok=True, total_rows=total, counts=counts, dry_run=dry_run)

    def validate_clean_rows(self, chunk: Chunk) -> None:
        """`validate_chunk` on the rows of a chunk that passed every check so far; leaves only
        the rows that pass it too."""
        chunk.drop_failed()
        self.validate_chunk(chunk)
        chunk.drop_failed()

    @staticmethod
    def rejected(errors, total, dry_run) -> ImportResult:
        errors.sort(key=lambda e: e.row)
        return ImportResult(ok=False, total_rows=total, errors=errors[:MAX_ERRORS], dry_run=dry_run)

    def _apply(self, rows: list[Row], dry_run: bool, on_applied=None) -> Counts:
        result = Counts()
        try:
            with transaction.atomic():
                serialise_kind(self.kind)
                result = self.apply(rows)
                if on_applied is not None and not dry_run:
                    on_applied(ImportResult(ok=True, total_rows=len(rows), counts=result))
                if dry_run:
                    # The dry run does the real work, so its counts are exact, then undoes it.
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        return result

    def _map_headers(self, headers, errors) -> dict[str, int]:
        positions = {}
        for index, header in enumerate(headers):
            positions.setdefault(header_key(header).lstrip("\ufeff"), index)
        mapping = {}
        for column in self.columns:
            index = next((positions[a] for a in map(header_key, column.aliases) if a in positions), None)
            if index is not None:
                mapping[column.key] = index
            elif column.required:
                errors.append(RowError(1, column.name, _("缺少必要欄位")))
        return mapping

    def _clean_chunks(self, table, mapping, progress) -> Iterator[Chunk]:
        """Clean the table CHUNK rows at a time, column by column (see Column.clean_many),
        then across columns (`check_columns`) on the rows whose cells are clean."""
        total = table.total or 0
        seen = 0
        shown = 0
        for chunk in batched(table.rows, CHUNK):
            seen += len(chunk)
            # Every report is a committed write: report in steps of 5 %, not every chunk.
            if total and (percent := min(69, int(70 * seen / total))) >= shown + 5:
                progress(percent)
                shown = percent
            numbers, kept = _without_blank_rows(chunk)
            if not numbers:
                continue
            by_column = list(itertools.zip_longest(*kept))  # short rows are padded with None
            cleaned = Chunk(numbers, {})
            for column in self.columns:
                index = mapping.get(column.key)
                if index is None:  # an optional column the file does not have
                    cleaned.columns[column.key] = [column.default] * len(numbers)
                    continue
                cells = by_column[index] if index < len(by_column) else [None] * len(numbers)
                cleaned.columns[column.key] = column.clean_many(cells, numbers, cleaned.errors)
            cleaned.drop_failed()
            self.check_columns(cleaned)
            yield cleaned


def _without_blank_rows(chunk: list[tuple[int, list]]) -> tuple[list[int], list]:
    """The row numbers and cells of a chunk's rows that are not blank."""
    numbers, kept = map(list, zip(*chunk))
    filled = [not is_blank_row(cells) for cells in kept]
    if all(filled):
        return numbers, kept
    return list(itertools.compress(numbers, filled)), list(itertools.compress(kept, filled))


__all__ = ["Chunk", "Importer", "map_distinct", "Upsert", "ImportResult", "Counts", "MAX_AUDITED_CHANGES", "REPORT_ROWS",
           "Row", "RowError", "cell_text"]
