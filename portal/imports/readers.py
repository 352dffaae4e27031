"""Turn an uploaded file (CSV in UTF-8/Big5, or XLSX) into header + rows.

The file is read from a binary file object (the import batch's file on disk) or bytes. A CSV
is never held whole: its encoding, NUL bytes and line count are found in one pass of 1 MB
pieces, and its rows are then decoded as they are read, so memory stays flat whatever the
number of rows (README "Performance"). An XLSX sheet is loaded whole by python-calamine.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

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


PIECE = 1 << 20  # bytes read at a time when a file is scanned


def _binary(source: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary file positioned at its start: the file itself, or bytes wrapped."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    # Django's File and a temporary upload wrap the real file: read that one.
    while not isinstance(handle, io.IOBase) and hasattr(handle, "file"):
        handle = handle.file
    handle.seek(0)
    return handle


def _pieces(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(offset, piece) over the whole file, PIECE bytes at a time, from its start."""
    handle.seek(0)
    offset = 0
    while piece := handle.read(PIECE):
        yield offset, piece
        offset += len(piece)


@dataclass
class _Scan:
    """What one pass over a CSV file found: the first NUL byte (its line), the line count, and
    the offset of the first byte that does not decode in the encoding tried (None: it decodes)."""

    nul_line: int | None = None
    newlines: int = 0
    bad_at: int | None = None


def _scan(handle: BinaryIO, encoding: str, count_lines: bool = False) -> _Scan:
    scan = _Scan()
    decoder = codecs.getincrementaldecoder(encoding)()
    end = 0
    for offset, piece in _pieces(handle):
        end = offset + len(piece)
        if count_lines:
            if scan.nul_line is None and (nul := piece.find(b"\x00")) >= 0:
                scan.nul_line = scan.newlines + piece.count(b"\n", 0, nul) + 1
            scan.newlines += piece.count(b"\n")
        if scan.bad_at is None:
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as exc:
                scan.bad_at = offset + exc.start
                if not count_lines:
                    return scan
    if scan.bad_at is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.bad_at = max(end - 1, 0)
    return scan


def _line_at(handle: BinaryIO, offset: int) -> int:
    """The line number (from 1) of the byte at `offset`, counted piece by piece."""
    lines = 1
    for start, piece in _pieces(handle):
        if start >= offset:
            break
        lines += piece.count(b"\n", 0, offset - start)
    return lines


def text_encoding(data: bytes | BinaryIO) -> str:
    """UTF-8 with or without BOM, else CP950 (Big5 with the extensions HR files use).

    The file is checked piece by piece (1 MB), so that it is never held, as bytes or as text.
    Raises FileFormatError naming the line of the first byte neither encoding reads.
    """
    return _encoding_and_scan(_binary(data))[0]


def _encoding_and_scan(handle: BinaryIO, refuse_nul: bool = False) -> tuple[str, _Scan]:
    """The file's encoding and what one pass found (a second pass only for a Big5 file)."""
    handle.seek(0)
    bom = handle.read(3) == b"\xef\xbb\xbf"
    scan = _scan(handle, "utf-8-sig" if bom else "utf-8", count_lines=True)
    if refuse_nul and scan.nul_line is not None:
        # Named by row as the other errors are: a stray NUL in one cell of a long export
        # must be findable; a binary or UTF-16 file has one on its first rows.
        raise FileFormatError(
            _(
                "第 %(line)d 列含有空字元（NUL），檔案可能損毀或不是文字檔；請存成 UTF-8 CSV 或 Excel 活頁簿（.xlsx）後重新上傳。"
            )
            % {"line": scan.nul_line}
        )
    encoding = "utf-8-sig" if bom else "utf-8"
    if scan.bad_at is not None and not bom:
        encoding = "cp950"
        scan.bad_at = _scan(handle, encoding).bad_at
    if scan.bad_at is not None:
        line = _line_at(handle, scan.bad_at)
        raise FileFormatError(
            _("第 %(line)d 列含有無法辨識的字元（可能是機關造字），請改用 UTF-8 或以標準字取代。") % {"line": line}
        )
    return encoding, scan


def _is_blank(handle: BinaryIO) -> bool:
    """Nothing, or a BOM and blank lines (read until the first byte that is not blank)."""
    for offset, piece in _pieces(handle):
        if offset == 0:
            piece = piece.removeprefix(b"\xef\xbb\xbf")
        if piece.strip():
            return False
    return True


def read_table(data: bytes | BinaryIO, file_name: str = "") -> Table:
    """The table of an import file given as bytes or as a seekable binary file (read from where
    it is: a CSV row by row, an XLSX sheet whole). Raises FileFormatError (Chinese, for the user)."""
    handle = _binary(data)
    if _is_blank(handle):
        raise FileFormatError(_("檔案是空的。"))
    handle.seek(0)
    magic = handle.read(len(XLSX_MAGIC))
    handle.seek(0)
    if magic == XLSX_MAGIC or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(handle)
    if file_name.lower().endswith(".xls"):
        raise FileFormatError(_("不支援舊版 Excel（.xls）檔案，請另存為 .xlsx 或 CSV。"))
    return _read_csv(handle)


def _read_csv(handle: BinaryIO) -> Table:
    encoding, scan = _encoding_and_scan(handle, refuse_nul=True)
    handle.seek(0)
    # Decoded as it is read; the wrapper is detached at the end so that the caller's file stays open.
    lines = io.TextIOWrapper(handle, encoding=encoding, newline="")
    reader = csv.reader(lines)
    try:
        headers = next(reader)
    except StopIteration:
        raise FileFormatError(_("檔案是空的。")) from None
    except csv.Error as exc:
        raise FileFormatError(_("CSV 格式錯誤：%(error)s") % {"error": exc}) from None
    total = max(scan.newlines - 1, 0)
    return Table(headers=headers, rows=_csv_rows(reader, lines), total=total)


def _csv_rows(reader, lines: io.TextIOWrapper) -> Iterator[tuple[int, list]]:
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise FileFormatError(
            _("第 %(line)d 列 CSV 格式錯誤：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from None
    finally:
        _detach(lines)


def _detach(lines: io.TextIOWrapper) -> None:
    """Leave the underlying binary file open for its owner (a wrapper closes it when collected)."""
    try:
        lines.detach()
    except ValueError:  # already detached or closed
        pass


def _check_zip(handle: BinaryIO) -> None:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FileFormatError(_("檔案不是有效的 Excel 活頁簿（.xlsx）。")) from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(size, 1):
        raise FileFormatError(_("Excel 活頁簿解壓縮後過大，疑似異常檔案，已拒絕。"))


def _read_xlsx(handle: BinaryIO) -> Table:
    from python_calamine import CalamineWorkbook

    _check_zip(handle)
    handle.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(handle)
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
