"""Spreadsheets and printed lists out: openpyxl workbooks and django-import-export's admin
exports with formula injection neutralised, and the same rows as an A4 PDF."""

import datetime as dt
import io
from decimal import Decimal

import tablib
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .pdf import pdf_response

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


def neutralise_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """The same dataset with every text cell (headers too) made safe, for every export format.

    django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT strips a leading "="
    only, and turns every cell into text; this keeps numbers and dates as they are.
    """
    safe = tablib.Dataset(title=dataset.title)
    safe.headers = [safe_cell(h) for h in dataset.headers] if dataset.headers else None
    for row in dataset:
        safe.append([safe_cell(value) for value in row])
    return safe


class FormulaSafeExportMixin:
    """For admin classes with django-import-export's export: HR's CSV/XLSX downloads of
    agencies, courses, lists, bundles and learning data go through neutralise_dataset."""

    def get_data_for_export(self, request, queryset, **kwargs):
        return neutralise_dataset(super().get_data_for_export(request, queryset, **kwargs))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def list_pdf(title: str, subtitle: str, headers: list[str], rows, landscape: bool = False, progress=None) -> bytes:
    """A plain printed list (A4, Kai font) of the same rows as the spreadsheet; over PART_ROWS
    rows rendered in parts and joined (portal.pdf.render_pdf_in_parts)."""
    from . import pdf
    from .pdf import fitted_widths, parts_of, render_pdf, render_pdf_in_parts, text_em

    # Numbered rows and signature boxes, as on the order roster (every printed roster follows it).
    headers = ["編號", *headers]
    cells = [[str(n), *(_shown(v) for v in row)] for n, row in enumerate(rows, 1)]
    # Sentences (reasons, what is missing) wrap; names, units, titles, IDs and figures stay on one line.
    wrap = [i for i in range(len(headers)) if max([text_em(row[i]) for row in cells] or [0]) > LIST_WRAP_EM]
    widths = fitted_widths(
        headers,
        cells,
        wrap=wrap,
        orientation="landscape" if landscape else "portrait",
        font_pt=10.5,
        padding_mm=3.0 + 0.6,
    )
    context = {
        "title": title,
        "subtitle": subtitle,
        "headers": headers,
        "landscape": landscape,
        "widths": widths,
        "count": len(cells),
    }
    if len(cells) > pdf.PART_ROWS:  # a long list in parts, joined (issue 20): memory of one part
        return render_pdf_in_parts("pdf/list.html", context, parts_of(cells), progress=progress)
    return render_pdf(
        "pdf/list.html", {**context, "rows": cells, "offset": 0, "first": True, "last": True}, progress=progress
    )


LIST_WRAP_EM = 14  # a cell longer than this (in em) is a sentence, not a name


def list_download(
    fmt: str, filename: str, title: str, subtitle: str, headers: list[str], rows, landscape: bool = False
):
    """The response for `?format=xlsx` or `?format=pdf` of a list page, or None for the page itself."""
    if fmt == "xlsx":
        return xlsx_response(filename, title, headers, rows)
    if fmt == "pdf":
        return pdf_response(list_pdf(title, subtitle, headers, rows, landscape), f"{filename}.pdf")
    return None


def _shown(value) -> str:
    """A cell as printed: ROC dates, numbers without trailing zeros, nothing for None."""
    from .rocdate import to_roc_short

    if value is None:
        return ""
    if isinstance(value, dt.date):
        return to_roc_short(value)
    if isinstance(value, (float, Decimal)):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)
