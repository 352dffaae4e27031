"""What an import carries from step to step: rows and their errors, chunks of clean
columns, the counts of what was written, and the limits that keep memory flat.

The steps themselves: readers.py (read a file) → columns.py (clean each cell) →
base.py (`Importer`: check across columns and against the database) → upsert.py and
streaming.py (write). Each imports this module, none imports back into its caller.
"""

import hashlib
import itertools
from dataclasses import dataclass, field

from django.db import connection

from portal import nationalid

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
    # Sentences (Traditional Chinese, no national ID) about rows imported with something left
    # out, shown after the batch's summary: warnings, not errors.
    warnings: list = field(default_factory=list)

    def __iadd__(self, other: "Counts"):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes = (self.changes + other.changes)[:MAX_AUDITED_CHANGES]
        self.withdrawn += other.withdrawn
        self.withdrawals = (self.withdrawals + other.withdrawals)[:MAX_AUDITED_CHANGES]
        self.corrections = (self.corrections + other.corrections)[:MAX_AUDITED_CHANGES]
        self.additions = (self.additions + other.additions)[:REPORT_ROWS]
        self.warnings = self.warnings + other.warnings
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
        return [
            Row(number, dict(zip(keys, values))) for number, values in zip(self.numbers, zip(*self.columns.values()))
        ]


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


def rejected(errors: list[RowError], total: int, dry_run: bool) -> ImportResult:
    """The result of a file with problems: its errors in row order, at most MAX_ERRORS."""
    errors.sort(key=lambda e: e.row)
    return ImportResult(ok=False, total_rows=total, errors=errors[:MAX_ERRORS], dry_run=dry_run)
