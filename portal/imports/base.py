"""The import path, in the order a file takes it (`Importer.run`):

1. read: readers.py turns CSV or XLSX bytes into a table of cells;
2. clean: columns.py cleans each column of a chunk (one `Memo` per column, for this import only);
3. check: the importer's hooks here (`check_columns`, `validate_chunk`; people by ID: lookups.py);
4. write: streaming.py stages and merges chunks through upsert.py in one transaction, or
   `apply(rows)` writes them at once; all or nothing either way.

rows.py holds what passes between the steps. Each step imports the ones before it and rows.py,
never the module that called it.
"""

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator

from django.db import transaction
from django.utils.translation import gettext as _

from .columns import Column, Memo, cell_text, header_key, is_blank_row
from .readers import FileFormatError, read_table
from .rows import MAX_ERRORS, MAX_WARNINGS, Chunk, Counts, ImportResult, Row, RowError, Upsert, rejected, serialise_kind
from .streaming import run_streamed

# Rows are read, cleaned, checked and staged this many at a time: memory stays flat.
CHUNK = 10000


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


def batched(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Importer:
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
    def run(
        self,
        data,
        file_name: str = "",
        *,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        on_applied: Callable[[ImportResult], None] | None = None,
    ) -> ImportResult:
        """Import `data` (bytes, or a seekable binary file read in place: a CSV is never held whole).

        `on_applied` runs inside the import's transaction once the rows are written (never on
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
                return run_streamed(self, chunks, dry_run, on_applied, progress)
            rows, total = [], 0
            for chunk in chunks:
                total += chunk.read
                self.validate_clean_rows(chunk)
                rows.extend(chunk.rows())
                errors.extend(chunk.errors[: MAX_ERRORS - len(errors)])
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

    rejected = staticmethod(rejected)

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
        memos = {column.key: Memo() for column in self.columns}  # this import's only, gone with it
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
                cleaned.columns[column.key] = column.clean_many(cells, numbers, cleaned.errors, memos[column.key])
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


__all__ = ["Chunk", "Importer", "Upsert", "ImportResult", "Counts", "Row", "RowError", "cell_text"]
