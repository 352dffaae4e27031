"""Spreadsheets out: openpyxl workbooks with formula injection neutralised."""
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text cell that starts like a formula is written with a leading apostrophe."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(DANGEROUS):
            return "'" + value
    return value


def workbook_bytes(title: str, headers: list[str], rows) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
