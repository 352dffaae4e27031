"""The importer skeleton: read, validate every row, then apply all or nothing."""
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .columns import CellError, Column, cell_text, header_key, is_blank_row
from .readers import FileFormatError, read_table

# A file with more problems than this is clearly the wrong file; listing the rest helps nobody.
MAX_ERRORS = 5000


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "Counts"):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class Row:
    number: int
    values: dict


@dataclass
class ImportResult:
    ok: bool
    total_rows: int = 0
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


class Rejected(Exception):
    def __init__(self, errors):
        self.errors = errors


class _DryRunRollback(Exception):
    pass


class Importer(ABC):
    """Subclasses declare `kind`, `label` and `columns`, and write `apply`.

    `validate(rows, errors)` may add file-level checks (unknown employees, duplicate keys)
    with a fixed number of queries; `apply(rows)` runs inside one transaction and returns
    Counts. Nothing is written unless every row is valid.
    """

    kind: str = ""
    label: str = ""
    columns: list[Column] = []

    def __init__(self, options: dict | None = None):
        self.options = options or {}

    # -- hooks -----------------------------------------------------------------
    def check_row(self, values: dict) -> list[tuple[str, str]]:
        """Cross-column checks of one cleaned row: (column, message) pairs."""
        return []

    def validate(self, rows: list[Row], errors: list[RowError]) -> None:
        """Checks across rows and against the database, in a fixed number of queries."""

    @abstractmethod
    def apply(self, rows: list[Row]) -> Counts:
        """Write the rows (inside the import's transaction) and count what changed."""

    # -- machinery -------------------------------------------------------------
    def run(self, data: bytes, file_name: str = "", *, dry_run: bool = False,
            progress: Callable[[int], None] | None = None) -> ImportResult:
        progress = progress or (lambda percent: None)
        errors: list[RowError] = []
        try:
            table = read_table(data, file_name)
            mapping = self._map_headers(table.headers, errors)
            if errors:
                return ImportResult(ok=False, errors=errors, dry_run=dry_run)
            rows = self._clean_rows(table, mapping, errors, progress)
        except FileFormatError as exc:
            return ImportResult(ok=False, errors=[RowError(0, "", str(exc))], dry_run=dry_run)
        if not rows and not errors:
            errors.append(RowError(0, "", _("檔案沒有任何資料列。")))
        # Cross-row and database checks see only rows whose cells are clean, so that every
        # problem of the file is reported at once without follow-on noise.
        bad_rows = {e.row for e in errors}
        self.validate([r for r in rows if r.number not in bad_rows], errors)
        if errors:
            errors.sort(key=lambda e: e.row)
            return ImportResult(ok=False, total_rows=len(rows), errors=errors[:MAX_ERRORS], dry_run=dry_run)
        progress(70)
        counts = self._apply(rows, dry_run)
        progress(100)
        return ImportResult(ok=True, total_rows=len(rows), counts=counts, dry_run=dry_run)

    def _apply(self, rows: list[Row], dry_run: bool) -> Counts:
        result = Counts()
        try:
            with transaction.atomic():
                result = self.apply(rows)
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

    def _clean_rows(self, table, mapping, errors, progress) -> list[Row]:
        rows: list[Row] = []
        columns = [(c, mapping.get(c.key)) for c in self.columns]
        total = table.total or 0
        step = max(total // 20, 1000)
        for count, (number, cells) in enumerate(table.rows, start=1):
            if count % step == 0 and total:
                progress(min(69, int(70 * count / total)))
            if is_blank_row(cells):
                continue
            values, row_ok = {}, True
            for column, index in columns:
                raw = cells[index] if index is not None and index < len(cells) else None
                try:
                    values[column.key] = column.clean(raw)
                except CellError as exc:
                    row_ok = False
                    if len(errors) < MAX_ERRORS:
                        errors.append(RowError(number, column.name, str(exc)))
            if row_ok:
                for column_name, message in self.check_row(values):
                    errors.append(RowError(number, column_name, message))
            rows.append(Row(number, values))
        return rows


def unchanged(instance, values: dict) -> bool:
    return all(getattr(instance, name) == value for name, value in values.items())


__all__ = ["Importer", "ImportResult", "Counts", "Row", "RowError", "Rejected", "unchanged", "cell_text"]
