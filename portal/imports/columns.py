"""Column objects: header aliases, cell cleaning, a Traditional Chinese message."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portal import nationalid, rocdate

from .rows import MAX_ERRORS, RowError

# Control characters other than tab and line breaks: nothing a person typed, and a NUL
# cannot be stored in PostgreSQL text at all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(ValueError):
    """A bad cell; the message is shown to the user next to row and column."""


def cell_text(value) -> str:
    """A cell as text: spreadsheet numbers lose their `.0`, width is normalised."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isascii():  # NFKC leaves ASCII alone; most cells of an export are ASCII
            return value.strip()
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def header_key(header) -> str:
    return "".join(cell_text(header).split())


CACHE_LIMIT = 50_000


class Memo:
    """What one import remembers of one column: cleaned cells (IDs among them), the cells
    that failed, and the dates and times of timestamps. The import's cleaning step makes one
    per column for its run (`Importer._clean_chunks`), so nothing outlives the batch."""

    __slots__ = ("values", "bad", "dates", "times")

    def __init__(self):
        self.values: dict = {}
        self.bad: set = set()
        self.dates: dict = {}
        self.times: dict = {}


class Column:
    # Conversions that depend on the cell alone and repeat across a whole file (IDs, dates,
    # hours, choices) are remembered for the file (the import's Memo), not only for a chunk.
    cached = False

    def __init__(self, name: str, *aliases: str, required: bool = True, default=None, key: str | None = None):
        self.name = name
        self.aliases = (name, *aliases)
        self.required = required
        self.default = default
        self.key = key or name

    def convert(self, value, text):
        return text

    def clean_many(self, cells: list, numbers: list[int], errors: list, memo: Memo | None = None) -> list:
        """Clean one column of a chunk; bad cells add RowErrors and clean to None.

        An export repeats the same IDs, dates, hours and course names thousands of times,
        so each distinct cell is cleaned once per chunk (once per import, in its `memo`, up
        to CACHE_LIMIT values, for `cached` columns) and the column is then one look-up per
        cell. Booleans take the slow path: True equals 1 and 1.0 as a key, and cleans
        differently.
        """
        if memo is None or not self.cached:
            memo = Memo()
        values, bad = memo.values, memo.bad
        if len(values) >= CACHE_LIMIT:
            values.clear()
            bad.clear()
        if bool in set(map(type, cells)):
            return self._clean_each(cells, numbers, errors)
        distinct = set(cells)
        for cell in distinct - values.keys():
            try:
                values[cell] = self._clean_uncached(cell)
            except CellError as exc:
                values[cell] = _Failed(exc)
                bad.add(cell)
        failed = distinct & bad
        if not failed:
            return list(map(values.__getitem__, cells))
        for number, cell in zip(numbers, cells):
            if cell in failed and len(errors) < MAX_ERRORS:
                errors.append(RowError(number, self.name, values[cell].message))
        return [None if cell in failed else values[cell] for cell in cells]

    def _clean_each(self, cells: list, numbers: list[int], errors: list) -> list:
        out = []
        for number, cell in zip(numbers, cells):
            try:
                out.append(self._clean_uncached(cell))
            except CellError as exc:
                out.append(None)
                if len(errors) < MAX_ERRORS:
                    errors.append(RowError(number, self.name, str(exc)))
        return out

    def _clean_uncached(self, value):
        text = cell_text(value)
        if CONTROL_CHARACTERS.search(text):
            raise CellError(_("含有控制字元（如 NUL），請刪除後重新上傳"))
        if not text:
            if self.required:
                raise CellError(_("不可空白"))
            return self.default
        return self.convert(value, text)


class _Failed:
    """A remembered bad cell."""

    __slots__ = ("message",)

    def __init__(self, exc: CellError):
        self.message = str(exc)


class TextColumn(Column):
    cached = True

    def __init__(self, name, *aliases, max_length: int = 200, **kwargs):
        super().__init__(name, *aliases, **kwargs)
        self.max_length = max_length
        if self.default is None:
            self.default = ""

    def convert(self, value, text):
        if len(text) > self.max_length:
            raise CellError(_("超過 %(n)d 個字") % {"n": self.max_length})
        return text


class NationalIdColumn(Column):
    cached = True

    def convert(self, value, text):
        try:
            return nationalid.validate(text)
        except nationalid.NationalIdError as exc:
            raise CellError(str(exc)) from None


class DateColumn(Column):
    cached = True

    def convert(self, value, text):
        try:
            return rocdate.parse_date(value)
        except rocdate.RocDateError as exc:
            raise CellError(str(exc)) from None


class DateTimeColumn(Column):
    """A date that may carry a time: cleans to (date, time or None)."""

    def clean_many(self, cells: list, numbers: list[int], errors: list, memo: Memo | None = None) -> list:
        # Timestamps rarely repeat, so the per-distinct-cell path gains nothing here; plain
        # ASCII text takes this direct path, and anything else (blank, a spreadsheet date,
        # a bad value) sends the chunk through the general one, which reports per row.
        # Timestamps are nearly all different, their dates and times are not (memo.dates, .times).
        memo = memo if memo is not None else Memo()
        dates, times = memo.dates, memo.times
        try:
            out = []
            for cell in cells:
                if cell.__class__ is not str or not cell.isascii():
                    raise _Slow
                date_text, _sep, time_text = cell.strip().partition(" ")
                if not date_text:
                    raise _Slow
                time_text = time_text.strip()
                out.append(
                    (
                        _remembered(dates, date_text, rocdate.parse_date),
                        _remembered(times, time_text, rocdate.parse_time) if time_text else None,
                    )
                )
            return out
        except (_Slow, rocdate.RocDateError):
            return super().clean_many(cells, numbers, errors, memo)

    def convert(self, value, text):
        try:
            if not isinstance(value, str):
                return rocdate.parse_datetime(value)
            date_text, _sep, time_text = text.partition(" ")
            time_text = time_text.strip()
            return rocdate.parse_date(date_text), rocdate.parse_time(time_text) if time_text else None
        except rocdate.RocDateError as exc:
            raise CellError(str(exc)) from None


class _Slow(Exception):
    """A cell the direct path leaves to the general one."""


def _remembered(memo: dict, text: str, parse):
    try:
        return memo[text]
    except KeyError:
        if len(memo) >= CACHE_LIMIT:
            memo.clear()
        memo[text] = result = parse(text)
        return result


class TimeColumn(Column):
    cached = True

    def convert(self, value, text):
        try:
            return rocdate.parse_time(value)
        except rocdate.RocDateError as exc:
            raise CellError(str(exc)) from None


class DecimalColumn(Column):
    cached = True

    def __init__(self, name, *aliases, minimum: Decimal | None = Decimal(0), places: int = 2, **kwargs):
        super().__init__(name, *aliases, **kwargs)
        self.minimum = minimum
        self.quantum = Decimal(1).scaleb(-places)

    def convert(self, value, text):
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError(_("「%(text)s」不是數字") % {"text": text[:20]}) from None
        if not number.is_finite():
            raise CellError(_("「%(text)s」不是數字") % {"text": text[:20]})
        if self.minimum is not None and number < self.minimum:
            raise CellError(_("不可小於 %(min)s") % {"min": self.minimum})
        if abs(number) >= 10**8:
            raise CellError(_("數值過大"))
        return number.quantize(self.quantum)


class IntegerColumn(DecimalColumn):
    def __init__(self, name, *aliases, minimum: int | None = 0, **kwargs):
        super().__init__(name, *aliases, minimum=None if minimum is None else Decimal(minimum), places=0, **kwargs)

    def convert(self, value, text):
        number = super().convert(value, text)
        if number != Decimal(text.replace(",", "")):
            raise CellError(_("必須是整數"))
        return int(number)


class ChoiceColumn(Column):
    """A cell whose text must be one of a fixed set; `choices` maps accepted text to values."""

    cached = True

    def __init__(self, name, *aliases, choices: dict, **kwargs):
        super().__init__(name, *aliases, **kwargs)
        self.choices = {cell_text(k): v for k, v in choices.items()}

    def convert(self, value, text):
        if text not in self.choices:
            accepted = "、".join(self.choices)
            raise CellError(_("「%(text)s」不是可接受的值（%(accepted)s）") % {"text": text[:20], "accepted": accepted})
        return self.choices[text]


YES_NO = {
    "Y": True,
    "N": False,
    "y": True,
    "n": False,
    "是": True,
    "否": False,
    "1": True,
    "0": False,
    "TRUE": True,
    "FALSE": False,
    "True": True,
    "False": False,
}


class BooleanColumn(ChoiceColumn):
    def __init__(self, name, *aliases, **kwargs):
        kwargs.setdefault("default", False)
        super().__init__(name, *aliases, choices=YES_NO, **kwargs)

    def convert(self, value, text):
        if isinstance(value, bool):
            return value
        try:
            return super().convert(value, text)
        except CellError:
            raise CellError(_("「%(text)s」不是 是/否（Y/N、1/0）") % {"text": text[:20]}) from None


def is_blank_row(cells) -> bool:
    if cells and cells[0].__class__ is str and cells[0].strip():
        return False  # nearly every row of a file
    return all(cell_text(c) == "" for c in cells)


__all__ = [
    "CellError",
    "Column",
    "TextColumn",
    "NationalIdColumn",
    "DateColumn",
    "DateTimeColumn",
    "TimeColumn",
    "DecimalColumn",
    "IntegerColumn",
    "ChoiceColumn",
    "BooleanColumn",
    "cell_text",
    "header_key",
    "is_blank_row",
]
