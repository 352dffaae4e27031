"""Every printed form as pictures (kept as CI artefacts) and what a 人事室 checks on paper
(issue 17, item 2): names never wrap, the leave form's hours add up to the grant, rosters are
numbered and signed, no page holds only a line or two, nothing in the KPI report overlaps."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incentives.kpis import BAR_LEFT, bar_chart
from incentives.models import Decision
from incentives.reports import render_kpi_report_pdf, render_roster_pdf, render_tally_sheet_pdf
from leave.reports import application_grants, render_application_pdf
from portal.models import Employee
from programs.reports import render_plan_pdf, render_proposal_pdf
from tests import forms_gallery as gallery
from tests.test_programme_pdfs import proposal, small_plan  # noqa: F401 (fixtures)

NAMES = [name for name, _unit, _title in gallery.PEOPLE]
UNITS = [unit for _name, unit, _title in gallery.PEOPLE]
SIGNATURES = "承辦人單位主管人事主管機關首長"


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_whole(pdf: bytes, words: list[str]) -> None:
    """Each word is whole on one laid-out line, and no line holds only a piece of one."""
    lines = gallery.text_lines(pdf)
    for word in words:
        assert any(word in line for line in lines), (word, lines)
        pieces = {word[:n] for n in range(1, len(word))} | {word[n:] for n in range(1, len(word))}
        assert not [line for line in lines if line in pieces], (word, [line for line in lines if line in pieces])


def assert_no_near_empty_page(pdf: bytes) -> None:
    """Every page holds more than its footer and a stray line (the leave form's second page held
    only the print date). A flowing document such as the plan may end on a short section."""
    for number, text in enumerate(pages_text(pdf), 1):
        assert len(text.splitlines()) >= 3, (number, text)


def forms(name: str, client, request) -> bytes:
    if name == "leave-kaohsiung":
        return render_application_pdf(gallery.kaohsiung_leave())
    if name == "leave-tainan":
        return render_application_pdf(gallery.tainan_leave())
    if name == "roster":
        plan, _decisions = gallery.decisions_world()
        return render_roster_pdf(plan, None, "高雄市政府")
    if name == "roster-in-parts":
        # A long roster is rendered PART_ROWS rows at a time and joined (issue 20): the paper must
        # read as one roster (one title, numbering on, one set of signature boxes at the end).
        from portal import pdf

        request.getfixturevalue("monkeypatch").setattr(pdf, "PART_ROWS", 3)
        request.getfixturevalue("settings").ROSTER_BACKGROUND_THRESHOLD = 2
        plan, _decisions = gallery.decisions_world()
        return render_roster_pdf(plan, None, "高雄市政府")
    if name == "order-roster":
        gallery.decisions_world()
        return render_roster_pdf(
            None, scope="高雄市政府", decisions=Decision.objects.all(), order_number="高市府人考字第10330500100號"
        )
    plan, agency, people, coordinator = (
        gallery.forum_world() if name in ("tally-sheet", "staff-list", "kpi-report") else (None,) * 4
    )
    if name == "tally-sheet":
        return render_tally_sheet_pdf(plan, gallery.FORUM_RULE, Employee.objects.all(), agency.name)
    if name == "staff-list":
        client.force_login(coordinator)
        return client.get(reverse("incentives:staff", args=["tainan-101"]), {"format": "pdf"}).content
    if name == "kpi-report":
        return render_kpi_report_pdf(plan)
    if name == "plan":
        return render_plan_pdf(request.getfixturevalue("small_plan"))
    return render_proposal_pdf(request.getfixturevalue("proposal"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "leave-kaohsiung",
        "leave-tainan",
        "roster",
        "roster-in-parts",
        "order-roster",
        "tally-sheet",
        "staff-list",
        "kpi-report",
        "plan",
        "proposal",
    ],
)
def test_every_form_is_kept_as_pictures_with_no_near_empty_page(name, client, request):
    pdf = forms(name, client, request)
    pictures = gallery.png_pages(pdf, name)
    assert [p.name for p in pictures] == [f"{name}-{n}.png" for n in range(1, len(pages_text(pdf)) + 1)]
    assert all(p.stat().st_size > 5000 for p in pictures)
    assert_no_near_empty_page(pdf)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["roster", "order-roster", "tally-sheet", "staff-list"])
def test_names_and_units_never_wrap_in_the_lists(name, client, request):
    pdf = forms(name, client, request)
    assert_whole(pdf, NAMES + UNITS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["roster", "roster-in-parts", "order-roster", "tally-sheet", "staff-list"])
def test_every_roster_is_numbered_and_has_signature_boxes(name, client, request):
    text = "".join(pages_text(forms(name, client, request)))
    assert "編號" in text and SIGNATURES in text.replace(" ", "").replace("\n", "")
    # Rows start with their number, then the agency (or, on a one-agency sheet, the unit).
    starts = "|".join(["高雄市政府", "臺南市政府", *UNITS])
    numbers = [int(n) for n in re.findall(rf"^(\d+) (?:{starts})", text, re.M)]
    assert numbers == list(range(1, len(gallery.PEOPLE) + 1))


@pytest.mark.django_db
def test_the_kaohsiung_leave_form_follows_its_attachment_2():
    application = gallery.kaohsiung_leave()
    pdf = render_application_pdf(application)
    text = "".join(pages_text(pdf))
    for expected in [
        "【附件2】",
        "公餘時間完成數位學習補休申請表",
        "※填表前請先詳閱注意事項",
        "服務單位",
        "已完成線上課程名稱、時數、日期及時間（須檢附時數證明）",
        "核章欄",
        "課程1名稱：公務倫理與廉政",
        "課程4名稱：情緒管理與壓力調適",
        "時數：3 小時",
        "完成日期：103年3月1日",
        "時間：20 時 15 分（24小時制）",
        "填表注意事項：",
        "不得杜撰",
        "線上簽核紀錄",
        "歐陽娜娜",
    ]:
        assert expected in text, expected
    # A block per course, each with its own three boxes.
    assert [text.count(box) for box in ("申請人簽名：", "單位主管核章：", "人事單位核章：")] == [4, 4, 4]
    assert_whole(pdf, ["呂宇俊", "薦任科員", "歐陽娜娜"])


@pytest.mark.django_db
def test_the_tainan_leave_form_has_its_own_title_and_rules():
    text = "".join(pages_text(render_application_pdf(gallery.tainan_leave()))).replace("\n", "")
    for expected in [
        "【附件5】",
        "利用公餘時段數位學習補休申請表",
        "須檢附時數證明",
        "最高得補休1日（8小時）",
        "101年12月28日前補休完畢",
        "不得重複申請加班補休或加班費",
    ]:
        assert expected in text, expected
    assert [text.count(box) for box in ("申請人簽名：", "單位主管核章：", "人事單位核章：")] == [2, 2, 2]
    assert "公餘時間完成數位學習補休申請表" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("make", [gallery.kaohsiung_leave, gallery.tainan_leave])
def test_the_leave_forms_hours_add_up_to_the_grant(make):
    application = make()
    grants = application_grants(application)
    text = "".join(pages_text(render_application_pdf(application))).replace("\n", "")
    printed = [float(h) for h in re.findall(r"核給補休 ([\d.]+) 小時（", text)]
    assert printed == [float(g["hours"]) for g in grants]
    assert f"核給補休合計 {sum(printed):g} 小時" in text
    used = [float(h) for h in re.findall(r"本次申請使用 ([\d.]+) 小時", text)]
    assert sum(used) == float(application.hours)


@pytest.mark.django_db
def test_the_kpi_reports_signature_boxes_go_over_with_the_last_chart(db):
    plan, agency, _people, _coordinator = gallery.forum_world()
    from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory

    for n in range(24):
        EmployeeFactory(
            unit=UnitFactory(agency=AgencyFactory(name=f"臺南市第{n + 1:02d}區區公所", parent=agency.parent))
        )
    pages = pages_text(render_kpi_report_pdf(plan))
    assert len(pages) >= 2
    last = pages[-1]
    # The boxes go over with the last chart (its heading and its bars), never alone.
    assert "承辦人" in last and "四、各機關平均學習時數" in last and re.search(r"臺南市第\d\d區區公所", last)


def test_the_target_line_never_runs_through_a_figure():
    chart = bar_chart(
        "比率", [("甲機關", 94.5), ("乙機關", 100.0), ("丙機關", 20.0)], "#0b5cab", maximum=100, target=95
    )
    for bar in chart["bars"]:
        start, end = bar["label_x"], bar["label_x"] + 7 * len(str(bar["value"]))
        assert not start - 3 <= chart["target_x"] <= end + 3, bar
    assert chart["bars"][2]["label_x"] == BAR_LEFT + chart["bars"][2]["width"] + 6


@pytest.mark.parametrize("rows", [8, 15])
def test_signature_boxes_never_stand_alone_on_a_page(rows):
    """A list one row too long for its page takes its last row over with the boxes."""
    from portal.exporters import list_pdf

    reason = "論壇發表及回應篇數 259 篇（已扣除不計入 3 篇） ≥ 200 篇 → 嘉獎 1 次" * 3
    pdf = list_pdf(
        "名冊",
        "臺南市政府人事處",
        ["機關", "單位", "姓名", "事由"],
        [["臺南市政府人事處", "資訊管理科第二股", f"呂宇俊{n}", reason] for n in range(1, rows + 1)],
        landscape=True,
    )
    pages = pages_text(pdf)
    assert len(pages) >= 2 and "承辦人" in pages[-1]
    assert re.search(rf"^{rows} 臺南市政府人事處", pages[-1], re.M)


@pytest.mark.django_db
def test_agency_names_never_wrap_in_the_kpi_report(db):
    plan, agency, _people, _coordinator = gallery.forum_world()
    from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory

    EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府工務局養護工程處", parent=agency.parent)))
    assert_whole(render_kpi_report_pdf(plan), ["臺南市政府工務局養護工程處", "臺南市政府人事處"])
