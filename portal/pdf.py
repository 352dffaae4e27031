"""Rendering printable documents: WeasyPrint, A4, the Kai font, page numbers, the ROC date.

Every document template takes `css` (the stylesheets below, inlined in a <style>) and
`today`; templates/pdf/base.css sets the page size, margins and 「第 X 頁，共 Y 頁」.
"""

import logging
import math
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from . import clock

PDF_CSS_DIR = Path(settings.BASE_DIR) / "templates" / "pdf"
# What the progress of a render means: the HTML is ready at 40 %, the layout is done at 85 %.
HTML_DONE, LAYOUT_DONE = 40, 85


def stylesheets(*names: str) -> str:
    return "\n".join((PDF_CSS_DIR / name).read_text(encoding="utf-8") for name in ("base.css", *names))


class _LayoutProgress(logging.Handler):
    """Hears WeasyPrint lay out each page ('Step 5 - Creating layout - Page N') and reports it."""

    def __init__(self, report, expected_pages: int):
        super().__init__(logging.INFO)
        self.report, self.expected, self.last = report, max(expected_pages, 1), HTML_DONE

    def emit(self, record):
        if record.msg == "Step 5 - Creating layout - Page %d" and record.args:
            percent = HTML_DONE + int((LAYOUT_DONE - HTML_DONE) * min(record.args[0] / self.expected, 0.99))
            if percent > self.last:
                self.last = percent
                self.report(percent)


def render_pdf(
    template: str, context: dict, *, css: tuple[str, ...] = (), progress=None, expected_pages: int = 1
) -> bytes:
    """The PDF of a template. `progress(percent)`, when given, hears of the layout page by page."""
    from django.utils import translation
    from weasyprint import HTML

    # The documents are the government's forms: Traditional Chinese whatever the page language.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, {"css": stylesheets(*css), "today": clock.today(), **context})
    if progress is None:
        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    progress(HTML_DONE)
    logger = logging.getLogger("weasyprint.progress")
    handler, level, propagate = _LayoutProgress(progress, expected_pages), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the page-by-page steps are for the progress bar, not the log
    try:
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    progress(LAYOUT_DONE)
    return document.write_pdf()


# Rows per WeasyPrint document when a long list is rendered in parts (issue 20, "Large
# documents"): WeasyPrint holds a whole document's layout, so a roster of 5,000 rows in one
# document took 864 MB; in parts of this size memory stays that of one part (bench/bench_documents.py).
PART_ROWS = 250
FOOTER_PAGES = 100  # page-number footers laid out at a time
# The chunks' own page-number footer is left out: the pages are numbered once they are joined.
_NO_PAGE_NUMBERS = "\n@page { @bottom-center { content: none; } }"


def render_pdf_in_parts(
    template: str, context: dict, parts: list[dict], *, css: tuple[str, ...] = (), progress=None
) -> bytes:
    """One PDF from several renders of `template`, each with `context` updated by one of `parts`
    (its rows, where its numbering starts, whether it opens or closes the document), joined with
    pypdf; then every page gets base.css's 「第 X 頁，共 Y 頁」 over the whole document.

    Memory is that of one part (PART_ROWS rows), whatever the number of parts. `progress(percent)`
    hears of each part. A part starts on a new page, so the page before it may end short.
    Raises what WeasyPrint raises.
    """
    import io

    from django.utils import translation
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    sheets = stylesheets(*css) + _NO_PAGE_NUMBERS
    writer = PdfWriter()
    size = None
    for n, part in enumerate(parts):
        with translation.override(settings.LANGUAGE_CODE):
            html = render_to_string(template, {"css": sheets, "today": clock.today(), **context, **part})
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
        if size is None and document.pages:
            size = (document.pages[0].width, document.pages[0].height)
        data = document.write_pdf()
        del document, html
        writer.append(PdfReader(io.BytesIO(data)))
        del data
        _give_back_memory()
        if progress:
            progress(int(5 + 85 * (n + 1) / max(len(parts), 1)))
    total = len(writer.pages)
    # The footers are laid out FOOTER_PAGES at a time too, and each page's merged content is
    # compressed again at once, so the numbering adds little to the peak.
    for first in range(0, total, FOOTER_PAGES):
        count = min(FOOTER_PAGES, total - first)
        footers = PdfReader(io.BytesIO(_page_numbers(first, count, total, size)))
        for page, footer in zip(writer.pages[first : first + count], footers.pages, strict=True):
            page.merge_page(footer)
            page.compress_content_streams()
        del footers
        _give_back_memory()
    if progress:
        progress(95)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _give_back_memory() -> None:
    """Collect the part just laid out and hand its freed pages back to the system, so that the
    next part reuses the same memory instead of adding to the process's peak (glibc keeps freed
    memory in its arenas otherwise)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        try:
            ctypes.CDLL(libc).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc: the collection alone
            pass


def _page_numbers(first: int, count: int, total: int, size: tuple[float, float]) -> bytes:
    """`count` blank pages of `size` (CSS px), numbered from `first` + 1 of `total`, with only
    base.css's page-number footer (「第 X 頁，共 Y 頁」, its words and font) on each."""
    from weasyprint import HTML

    width, height = size
    footer = f'@page {{ size: {width}px {height}px; @bottom-center {{ content: "第 " counter(page) " 頁，共 {total} 頁"; }} }}'
    html = (
        '<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><style>'
        + stylesheets()
        + "\n"
        + footer
        + f"\n@page :first {{ counter-reset: page {first + 1}; }}\ndiv {{ break-after: page; height: 1px; }}"
        + "</style></head><body>"
        + "<div></div>" * (count - 1)
        + "<p></p></body></html>"
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def parts_of(rows: list, size: int | None = None) -> list[dict]:
    """The parts of a long list for render_pdf_in_parts: each part's `rows`, the number its first
    row takes (`offset`: 編號 continues across parts), and whether it is the `first` (title) or
    the `last` (signature boxes). An empty list is one part. `size`: PART_ROWS by default."""
    size = size or PART_ROWS
    chunks = [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]
    return [
        {"rows": chunk, "offset": n * size, "first": n == 0, "last": n == len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Shown in the browser's PDF viewer; `filename` is ASCII (slugs), so no encoding games."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Printable width of an A4 page inside templates/pdf/base.css's margins (16 mm each side).
PAGE_WIDTH_MM = {"portrait": 210 - 32, "landscape": 297 - 32}
CELL_PADDING_MM = 5.0 + 0.6  # 2.5 mm each side (base.css) and the rules
PT_MM = 0.3528
FLEXIBLE_FLOOR_MM = 20.0  # the narrowest a wrapping column (a reason) is given


def text_em(text: str) -> float:
    """How many em a line of text takes in the Kai font: CJK one em, Latin and digits about half."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in str(text))


def fitted_widths(
    headers: list[str],
    rows,
    *,
    wrap=(),
    orientation: str = "portrait",
    font_pt: float = 12,
    padding_mm: float = CELL_PADDING_MM,
) -> list[float]:
    """Column widths in mm fitted to the content, so that no name, title or unit wraps within a word.

    Every column not in `wrap` (indexes) is as wide as its longest cell on one line, and its
    heading on at most two; the `wrap` columns (reasons, notes) share what is left of the page
    in proportion to their longest text. When the one-line columns alone are wider than the
    page, every column is scaled down alike (the layout then is no worse than before).
    """
    em_mm = font_pt * PT_MM
    columns = len(headers)
    longest = [max([text_em(row[i]) for row in rows] or [0]) for i in range(columns)]
    heading = [max(math.ceil(text_em(h) / 2), 2) for h in headers]  # a heading may take two lines
    need = [max(longest[i], heading[i]) * em_mm * 1.04 + padding_mm + 0.8 for i in range(columns)]
    page = PAGE_WIDTH_MM[orientation]
    flexible = [i for i in wrap if i < columns]
    fixed = sum(need[i] for i in range(columns) if i not in flexible)
    left = page - fixed
    # A wrapping column still holds its longest text on two lines, and its heading.
    minimum = [
        max(max(heading[i], math.ceil(longest[i] / 2)) * em_mm * 1.04 + padding_mm + 0.8, 18.0) for i in flexible
    ]
    if flexible and left >= sum(minimum):
        weights = [max(longest[i], 1) for i in flexible]
        shares = [left * w / sum(weights) for w in weights]
        # A short reason does not need its whole share: give the spare back in proportion.
        for n, i in enumerate(flexible):
            need[i] = max(shares[n], minimum[n])
        total = sum(need)
        return [round(w * page / total, 2) for w in need]
    if not flexible and left >= 0:
        return [round(w + left * w / fixed, 2) for w in need]
    if flexible and left >= FLEXIBLE_FLOOR_MM * len(flexible):
        # Not room for two lines each: the wrapping columns share what is left and take more lines.
        for n, i in enumerate(flexible):
            need[i] = left * minimum[n] / sum(minimum)
        return [round(w, 2) for w in need]
    for n, i in enumerate(flexible):
        need[i] = minimum[n]
    total = sum(need)
    return [round(w * page / total, 2) for w in need]
