"""Issue 19 in a real browser: HR fills the digital-talent registry, a coordinator registers
staff for the showcase, an employee writes a 微心得 with the count shown as they type, and Tainan's i writing
notes that HR then reads and downloads.
Every step starts from the home page and goes through links and forms only."""

import datetime as dt

import pytest

from portal.models import EmploymentType, Role
from programs.models import Reflection, SeedTeacher, ShowcaseRegistration
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ContestEntryFactory,
    EmployeeFactory,
    PlanFactory,
    UnitFactory,
)
from tests.test_browser import log_in, no_unmasked_ids, shot, user

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_puts_a_prize_winner_on_the_talent_registry(live_server, page, settings):
    settings.PORTAL_TODAY = "2012-06-01"
    tainan = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府教育局", parent=tainan)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=tainan,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        kpis=[{"code": "digital_talents", "label": "全年培育公務數位人才", "target": 120, "unit": "人次"}],
    )
    ActivityFactory(plan=plan, slug="talent-database", kind="talent_registry", name="建置數位人才資料庫")
    winner = EmployeeFactory(unit=UnitFactory(agency=agency, name="資訊室"), name="得獎丙")
    ContestEntryFactory(plan=plan, title="府城行銷短片", agency=agency, review="通過", placing="1").authors.set(
        [winner]
    )
    log_in(page, live_server, user(Role.HR, agencies=[tainan]))
    page.click("text=數位人才資料庫（種籽教師）")
    page.click("text=臺南市政府101年度數位學習推廣計畫：建置數位人才資料庫")
    row = page.locator("table.candidates tbody tr").first
    assert row.inner_text().split("\t")[:4] == [
        "臺南市政府教育局",
        "得獎丙",
        "數位教材競賽得獎",
        "府城行銷短片（第一名）",
    ]
    row.locator("input[name=reason]").fill("101年行銷短片競賽第一名，擅長剪輯")
    row.locator("text=列為種籽教師").click()
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "已將得獎丙列入數位人才資料庫（種籽教師）。"
    assert page.locator("table.teachers tbody tr").inner_text().split("\t")[:6] == [
        "臺南市政府教育局",
        "資訊室",
        "得獎丙",
        "數位教材競賽得獎",
        "府城行銷短片（第一名）",
        "101年行銷短片競賽第一名，擅長剪輯",
    ]
    page.click("text=首頁")
    page.click("text=績效指標")
    assert page.locator(".registry-count").inner_text() == "種籽教師 1 人（與上方「培育數位人才」並列，不計入其人次）"
    assert list(SeedTeacher.objects.values_list("employee__name", "source")) == [("得獎丙", "contest")]
    no_unmasked_ids(page)
    shot(page, "hr-talent-registry")


def test_coordinator_registers_contract_staff_for_the_showcase_until_it_is_full(live_server, page, settings):
    settings.PORTAL_TODAY = "2015-10-01"
    rad = AgencyFactory(name="行政院人事行政總處地方行政研習中心")
    plan = PlanFactory(
        slug="rad-104",
        issuer=rad,
        roc_year=104,
        title="104年度數位學習推動計畫",
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 12, 31),
        parameters={"coverage_scope": "all"},
    )
    ActivityFactory(
        plan=plan,
        slug="showcase",
        kind="showcase",
        name="數位學習成果發表會",
        starts_on=dt.date(2015, 11, 20),
        ends_on=dt.date(2015, 11, 20),
        details={"capacity": 2, "venue": "本中心"},
    )
    agency = AgencyFactory(name="花蓮縣政府人事處", parent=AgencyFactory(name="花蓮縣政府"))
    unit = UnitFactory(agency=agency, name="綜合企劃科")
    contract = EmployeeFactory(unit=unit, name="約僱甲", employment_type=EmploymentType.CONTRACT)
    established = EmployeeFactory(unit=unit, name="編制乙")
    third = EmployeeFactory(unit=unit, name="第三丙")
    log_in(page, live_server, user(Role.COORDINATOR, agencies=[agency]))
    page.click("text=數位學習成果發表會報名")
    page.click("text=104年度數位學習推動計畫：數位學習成果發表會")
    assert page.locator("dd.capacity").inner_text() == "2 名，已報名 0 名，尚餘 2 名"
    for person in (contract, established, third):
        page.check(f"input[name=employee][value='{person.pk}']")
    page.click("text=送出報名")
    page.wait_for_selector("section.outcomes")
    # In the order of the list (by name); contract staff are registered like anyone else.
    assert page.locator("section.outcomes li").all_inner_texts() == [
        "第三丙：已報名",
        "約僱甲：已報名",
        "編制乙：名額已滿（2 名）",
    ]
    assert page.locator("dd.capacity").inner_text() == "2 名，已報名 2 名，尚餘 0 名"
    assert [r.split("\t")[3:5] for r in page.locator("table.registered tbody tr").all_inner_texts()] == [
        ["第三丙", "編制內"],
        ["約僱甲", "約僱"],
    ]
    assert sorted(ShowcaseRegistration.objects.values_list("employee__name", flat=True)) == ["第三丙", "約僱甲"]
    no_unmasked_ids(page)
    shot(page, "coordinator-showcase")


def test_employee_writes_a_micro_reflection_and_sees_the_count_as_they_type(live_server, page, settings):
    settings.PORTAL_TODAY = "2015-06-01"
    rad = AgencyFactory(name="行政院人事行政總處地方行政研習中心")
    plan = PlanFactory(
        slug="rad-104", issuer=rad, roc_year=104, title="104年度數位學習推動計畫", parameters={"coverage_scope": "all"}
    )
    ActivityFactory(
        plan=plan,
        slug="micro-learning",
        kind="micro_learning",
        name="微微學習歡樂Go",
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 12, 31),
        details={"max_reflection_chars": 300},
    )
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="花蓮縣政府")), name="寫作丁")
    log_in(page, live_server, user(Role.EMPLOYEE, employee=employee))
    page.click("text=撰寫微心得與閱讀心得（i writing）")
    page.select_option("#kind", "ted")
    page.fill("#item", "The power of vulnerability")
    page.fill("#text", "學" * 150 + "\n" + "ａ" * 100 + "a" * 51)
    assert page.locator("#count").inner_text() == "目前 301 字，超過 300 字上限"
    page.fill("#text", "學" * 150 + "\n" + "ａ" * 100 + "a" * 50)
    assert page.locator("#count").inner_text() == "目前 300 字"
    page.click("text=送出心得")
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "心得已送出（300 字）。"
    assert page.locator("table.mine tbody tr").inner_text().split("\t")[1:] == [
        "微微學習歡樂Go",
        "TED演講「The power of vulnerability」",
        "300",
    ]
    assert list(Reflection.objects.values_list("characters", "kind")) == [(300, "ted")]
    shot(page, "employee-reflection")


def test_coordinator_sends_a_reading_bid_and_sees_hr_select_it(live_server, page, settings):
    settings.PORTAL_TODAY = "2014-06-10"
    kaohsiung = AgencyFactory(name="高雄市政府")
    education = AgencyFactory(name="高雄市政府教育局", parent=kaohsiung)
    plan = PlanFactory(slug="kaohsiung-103", issuer=kaohsiung, roc_year=103, title="高雄市政府103年度數位學習推動計畫")
    ActivityFactory(
        plan=plan,
        slug="reading-bid",
        kind="reading_bid",
        name="數位閱讀計畫競標活動",
        starts_on=dt.date(2014, 5, 1),
        ends_on=dt.date(2014, 9, 30),
    )
    coordinator = user(Role.COORDINATOR, agencies=[education])
    hr = user(Role.HR, agencies=[kaohsiung])
    log_in(page, live_server, coordinator)
    page.click("text=數位閱讀計畫競標：活動計畫的申請與評選")
    page.click("text=高雄市政府103年度數位學習推動計畫：數位閱讀計畫競標活動")
    page.fill("#id_title", "教育局共讀e起來")
    page.fill("#id_activities", "每月讀書會，線上討論")
    page.fill("#id_materials", "e學中心電子書「原子習慣」")
    page.fill("#id_forum", "教育局數位閱讀社群")
    page.fill("#id_starts_on", "103/07/01")
    page.fill("#id_ends_on", "103/09/30")
    page.click("text=送出申請")
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "活動計畫已送出，待人事處評選。"
    page.click("form.inline button.link")  # log out
    log_in(page, live_server, hr)
    page.click("text=數位閱讀計畫競標：活動計畫的申請與評選")
    row = page.locator("table.bids tbody tr").first
    row.locator("input[name=score]").fill("88.5")
    row.locator("input[name=note]").fill("主題明確")
    row.locator("button[value=select]").click()
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "「教育局共讀e起來」：入選（88.5 分）"
    page.click("form.inline button.link")
    log_in(page, live_server, coordinator)
    page.click("text=數位閱讀計畫競標：活動計畫的申請與評選")
    assert page.locator("table.bids tbody tr").first.inner_text().split("\t") == [
        "高雄市政府教育局",
        "教育局共讀e起來",
        "103/07/01–103/09/30",
        "入選",
        "88.5",
        "主題明確",
    ]
    no_unmasked_ids(page)
    shot(page, "coordinator-reading-bid")


def test_employee_writes_i_writing_notes_and_hr_reads_and_exports_them(live_server, page, settings):
    """Tainan's i writing (at least 1,000 characters): refused at 999, sent at 1,000, then HR
    finds it from the home page and downloads the list."""
    import openpyxl

    settings.PORTAL_TODAY = "2012-06-01"
    tainan = AgencyFactory(name="臺南市政府")
    education = AgencyFactory(name="臺南市政府教育局", parent=tainan)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=tainan,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
    )
    ActivityFactory(
        plan=plan,
        slug="digital-reading",
        kind="reading",
        name="數位閱讀多元學習",
        details={"min_reflection_chars": 1000},
    )
    writer = EmployeeFactory(unit=UnitFactory(agency=education, name="學管科"), name="閱讀戊")
    log_in(page, live_server, user(Role.EMPLOYEE, employee=writer))
    page.click("text=撰寫微心得與閱讀心得（i writing）")
    page.select_option("#kind", "ebook")
    page.fill("#item", "府城四百年")
    notes = "讀" * 600 + "\n" + "ｂ" * 200 + "b" * 199
    page.fill("#text", notes)
    assert page.locator("#count").inner_text() == "目前 999 字，尚差 1 字"
    page.click("text=送出心得")
    assert page.locator("#text-error").inner_text() == "閱讀心得至少 1,000 字（目前 999 字）。"
    assert not Reflection.objects.exists()
    page.fill("#text", notes + "b")
    assert page.locator("#count").inner_text() == "目前 1,000 字"
    page.click("text=送出心得")
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "心得已送出（1,000 字）。"
    assert list(Reflection.objects.values_list("characters", "kind", "employee__name")) == [(1000, "ebook", "閱讀戊")]
    shot(page, "employee-i-writing")

    page.context.clear_cookies()
    log_in(page, live_server, user(Role.HR, agencies=[tainan]))
    page.click("text=人員撰寫的微心得與閱讀心得")
    row = page.locator("table.reflections tbody tr")
    assert row.inner_text().split("\t")[1:6] == [
        "臺南市政府教育局",
        "閱讀戊",
        "數位閱讀多元學習",
        "電子書「府城四百年」",
        "1000",
    ]
    no_unmasked_ids(page)
    with page.expect_download() as download:
        page.click("text=下載 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[:5] == ["計畫", "活動", "機關", "單位", "姓名"]))
    assert rows[header + 1][:9] == [
        "臺南市政府101年度數位學習推廣計畫",
        "數位閱讀多元學習",
        "臺南市政府教育局",
        "學管科",
        "閱讀戊",
        "電子書",
        "府城四百年",
        1000,
        notes + "b",
    ]
    shot(page, "hr-reflections")
