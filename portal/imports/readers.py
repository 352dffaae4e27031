"""Turn an uploaded file (CSV in UTF-8/Big5, or XLSX) into header + rows."""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
# A real export compresses about 5-10 times; far more is a zip bomb.
MAX_XLSX_RATIO = 200
MAX_XLSX_UNPACKED = 2 * 1024 * 1024 * 1024


class FileFormatError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (row number in the file, cells), header is row 1
    total: int | None = None


def text_encoding(data: bytes) -> str:
    """UTF-8 with or without BOM, else CP950 (Big5 with the extensions HR files use).

    The bytes are checked piece by piece so that the file is never held twice, once as
    bytes and once as text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8" if _decodes(data, "utf-8") is None else "cp950"
    failed_at = _decodes(data, encoding)
    if failed_at is not None:
        line = data[:failed_at].count(b"\n") + 1
        raise FileFormatError(
            _("第 %(line)d 列含有無法辨識的字元（可能是機關造字），請改用 UTF-8 或以標準字取代。") % {"line": line}
        )
    return encoding


def _decodes(data: bytes, encoding: str, piece: int = 1 << 20) -> int | None:
    """None if `data` decodes, else the offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for start in range(0, len(data), piece):
        try:
            decoder.decode(data[start : start + piece])
        except UnicodeDecodeError as exc:
            return start + exc.start
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return len(data) - 1
    return None


def read_table(data: bytes, file_name: str = "") -> Table:
    if not data.removeprefix(b"\xef\xbb\xbf").strip():  # nothing, or a BOM and blank lines
        raise FileFormatError(_("檔案是空的。"))
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if file_name.lower().endswith(".xls"):
        raise FileFormatError(_("不支援舊版 Excel（.xls）檔案，請另存為 .xlsx 或 CSV。"))
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    if (nul := data.find(b"\x00")) >= 0:
        # Named by row as the other errors are: a stray NUL in one cell of a long export
        # must be findable; a binary or UTF-16 file has one on its first rows.
        line = data.count(b"\n", 0, nul) + 1
        raise FileFormatError(
            _(
                "第 %(line)d 列含有空字元（NUL），檔案可能損毀或不是文字檔；請存成 UTF-8 CSV 或 Excel 活頁簿（.xlsx）後重新上傳。"
            )
            % {"line": line}
        )
    lines = io.TextIOWrapper(io.BytesIO(data), encoding=text_encoding(data), newline="")
    reader = csv.reader(lines)
    try:
        headers = next(reader)
    except StopIteration:
        raise FileFormatError(_("檔案是空的。")) from None
    except csv.Error as exc:
        raise FileFormatError(_("CSV 格式錯誤：%(error)s") % {"error": exc}) from None
    total = max(data.count(b"\n") - 1, 0)
    return Table(headers=headers, rows=_csv_rows(reader), total=total)


def _csv_rows(reader) -> Iterator[tuple[int, list]]:
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise FileFormatError(
            _("第 %(line)d 列 CSV 格式錯誤：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FileFormatError(_("檔案不是有效的 Excel 活頁簿（.xlsx）。")) from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(len(data), 1):
        raise FileFormatError(_("Excel 活頁簿解壓縮後過大，疑似異常檔案，已拒絕。"))


def _read_xlsx(data: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    _check_zip(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        headers = next(rows, None)
    except Exception:  # calamine raises several unrelated types for broken files
        raise FileFormatError(_("檔案不是有效的 Excel 活頁簿（.xlsx）。")) from None
    if headers is None:
        raise FileFormatError(_("檔案是空的。"))
    total = max(sheet.height - 1, 0)
    return Table(headers=[str(h) for h in headers], rows=_xlsx_rows(rows), total=total)


def _xlsx_rows(rows) -> Iterator[tuple[int, list]]:
    number = 1
    try:
        for cells in rows:
            number += 1
            yield number, cells
    except Exception:
        raise FileFormatError(_("第 %(line)d 列之後的 Excel 內容無法讀取。") % {"line": number}) from None
