"""Rendering printable documents: WeasyPrint, A4, the Kai font, page numbers, the ROC date.

Every document template takes `css` (the stylesheets below, inlined in a <style>) and
`today`; templates/pdf/base.css sets the page size, margins and 「第 X 頁，共 Y 頁」.
"""
import logging
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


def render_pdf(template: str, context: dict, *, css: tuple[str, ...] = (), progress=None, expected_pages: int = 1) -> bytes:
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


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Shown in the browser's PDF viewer; `filename` is ASCII (slugs), so no encoding games."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
