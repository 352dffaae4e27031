"""What every printed document shares: A4, the Kai font (no other), 「第 X 頁，共 Y 頁」 and the ROC date.

The stylesheet goes into a <style> unescaped: escaped, its quotes became &quot; and WeasyPrint
dropped the font family and the page counter without a word (fixed in issue #7).
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incentives.reports import render_kpi_report_pdf
from portal import rocdate
from programs.reports import render_plan_pdf, render_proposal_pdf
from tests.test_kpi_report_pdf import plan as kpi_plan  # noqa: F401 (fixture)
from tests.test_programme_pdfs import proposal, small_plan  # noqa: F401 (fixtures)
from tests.test_staff_standing import world  # noqa: F401 (fixture)


def fonts(reader: PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return found


def check(data: bytes, landscape: bool = False) -> list[str]:
    """The last line of every page (its footer), once size and fonts are checked."""
    reader = PdfReader(io.BytesIO(data))
    size = (842, 595) if landscape else (595, 842)
    assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages} == {size}
    assert fonts(reader) == {"AR-PL-UKai-TW"}
    return [page.extract_text().splitlines()[-1] for page in reader.pages]


def today() -> str:
    return rocdate.to_roc_long(dt.date.today())


@pytest.mark.parametrize("document", ["plan", "proposal", "kpi"])
def test_programme_documents_number_their_pages_and_date_them(document, request):
    data = {
        "plan": lambda: render_plan_pdf(request.getfixturevalue("small_plan")),
        "proposal": lambda: render_proposal_pdf(request.getfixturevalue("proposal")),
        "kpi": lambda: render_kpi_report_pdf(request.getfixturevalue("kpi_plan")),
    }[document]()
    footers = check(data)
    word = "製表日期" if document == "kpi" else "列印日期"
    assert footers == [f"第 {n} 頁，共 {len(footers)} 頁 {word}：{today()}" for n in range(1, len(footers) + 1)]
    assert len(footers) == {"plan": 2, "proposal": 1, "kpi": 1}[document]


def test_roster_and_tally_sheet_number_their_pages_and_date_them(world, client, settings):  # noqa: F811
    from incentives.models import Decision

    settings.PORTAL_TODAY = "2012-10-01"  # filed before the rule's filing deadline; the documents are dated that day

    world["plan"].parameters["rules"][0].update(tally_sheet="附件1", filing_deadline="2012-10-15")
    world["plan"].save()
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"employee": [world["people"][0].pk]})
    assert Decision.objects.count() == 1
    roster = client.get(reverse("incentives:roster", args=["tainan-101"])).content
    assert check(roster, landscape=True) == ["第 1 頁，共 1 頁 製表日期：101年10月1日"]
    tally = client.get(reverse("incentives:tally", args=["tainan-101"])).content
    assert check(tally) == ["第 1 頁，共 1 頁 製表日期：101年10月1日"]
