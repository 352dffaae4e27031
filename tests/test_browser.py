"""What people do, in a real browser (Debian's chromium through Playwright).

Each test saves a screenshot of what the person saw, always, under `artifacts/screenshots/`
in the project root (or SCREENSHOT_DIR), so that CI keeps them as artefacts.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from courses.models import Bundle, BundleCourse, LearningRecord
from incentives.models import Decision
from portal import nationalid
from portal.models import ImportBatch, Role
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ClassHistoryFactory,
    CourseFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)
RAW_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:[1289]\d{8}|[A-D]\d{8})(?![A-Za-z0-9])")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "artifacts" / "screenshots")
FORUM_RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "clause": "柒、一、（二）",
    "tally_sheet": "附件1",
    "filing_deadline": "2012-10-15",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [
        {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]},
        {"award": "commendation", "count": 2, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 500}]}]},
    ],
}


def user(role, password="a-long-test-password", **kwargs):
    account = UserFactory(role=role, **kwargs)
    account.set_password(password)
    account.save()
    return account


def log_in(page, live_server, account):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", account.username)
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def no_unmasked_ids(page):
    found = RAW_ID.findall(page.content())
    assert found == [], f"unmasked national IDs on {page.url}"


def shot(page, name) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_employee_reads_their_progress_on_a_phone(live_server, page, settings):
    settings.PORTAL_TODAY = "2012-09-10"
    government = AgencyFactory(name="臺南市政府")
    PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [FORUM_RULE]},
    )
    kaohsiung = PlanFactory(
        slug="bundles",
        issuer=government,
        roc_year=101,
        title="主餐副餐套餐計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={
            "rules": [
                {
                    "code": "bundle-reward",
                    "kind": "bundle_completion",
                    "deadline": "2012-08-31",
                    "tiers": [{"side": "side", "award": "commendation", "count": 1}],
                }
            ]
        },
    )
    employee = EmployeeFactory(
        unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government)), rank="薦任"
    )
    for slug, name, kind, rank, courses in [
        ("main", "薦任主餐", "main", "薦任", ["執行力-策略規劃與執行", "顧客關係管理"]),
        ("side", "幸福嚴選餐", "side", "", ["環境影響評估概論"]),
    ]:
        bundle = Bundle.objects.create(
            plan=kaohsiung, slug=slug, name=name, kind=kind, rank=rank, hours=2 * len(courses)
        )
        for course in courses:
            BundleCourse.objects.create(bundle=bundle, course=CourseFactory(name=course, hours=2), hours=2)
    LearningRecordFactory(
        employee=employee,
        course_name="執行力-策略規劃與執行",
        course_key="執行力-策略規劃與執行",
        hours=2,
        digital_hours=2,
        completed_on=dt.date(2012, 3, 3),
        completed_at=dt.time(10, 0),
    )
    ForumTallyFactory(
        employee=employee,
        forum="論壇",
        window_start=dt.date(2012, 1, 1),
        window_end=dt.date(2012, 8, 31),
        posts=100,
        replies=63,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, user(Role.EMPLOYEE, employee=employee))
    page.click("text=我的學習")
    page.wait_for_url(f"{live_server.url}/incentives/me/")
    assert page.locator("h1").inner_text() == "101 年我的學習"
    assert page.get_by_text("論壇發表及回應篇數再 37 篇可達嘉獎 1 次，截止 101/08/31").is_visible()
    assert page.get_by_text("論壇發表及回應篇數 163 篇").is_visible()
    main = page.locator("details.bundle").first
    assert main.locator("summary").inner_text() == "薦任主餐\n1／2 門，共 4 小時"
    assert main.locator("li.done .course").all_inner_texts() == ["執行力-策略規劃與執行（2 小時）"]
    assert main.locator("li.todo .course").all_inner_texts() == ["顧客關係管理（2 小時）"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
    no_unmasked_ids(page)
    assert shot(page, "employee-progress-phone").stat().st_size > 10_000


def test_coordinator_nominates_a_colleague_and_files_a_commendation_request(live_server, page, settings):
    settings.PORTAL_TODAY = "2012-09-10"  # before the forum rule's filing deadline (101-10-15)
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [FORUM_RULE]},
    )
    activity = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    basic = TrainingClassFactory(
        activity=activity, slug="basic", name="自製數位教材基礎班", conditions={"excludes_attended": ["basic"]}
    )
    session = SessionFactory(training_class=basic, number=1, capacity=30)
    unit = UnitFactory(agency=agency, name="考訓科")
    fresh = EmployeeFactory(unit=unit, name="新手甲")
    veteran = EmployeeFactory(unit=unit, name="老手乙")
    ClassHistoryFactory(employee=veteran, class_slug="basic", class_name="自製數位教材基礎班")
    for person, posts in ((fresh, 260), (veteran, 120)):
        ForumTallyFactory(
            employee=person,
            forum="臺南市政府公共論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=posts,
            replies=0,
        )
    log_in(page, live_server, user(Role.COORDINATOR, agencies=[agency]))
    # Nominate: one accepted, one refused with the reason.
    page.click("text=研習推薦")
    page.click(f"a[href='/programs/sessions/{session.pk}/nominate/']")
    no_unmasked_ids(page)
    page.check(f"input[value='{fresh.pk}']")
    page.check(f"input[value='{veteran.pk}']")
    page.click("text=送出推薦")
    page.wait_for_selector("text=推薦結果")
    rows = page.locator("section.card table tbody tr")
    assert rows.nth(0).inner_text().split("\t") == ["新手甲", "已推薦", "—"]
    assert rows.nth(1).inner_text().split("\t") == ["老手乙", "未受理", "曾參加「自製數位教材基礎班」，不符參加資格"]
    shot(page, "coordinator-nominates")
    # File the commendation request of the colleague who reached 200 posts, with the tally sheet the plan asks for.
    page.click("text=首頁")
    page.click("text=人員達成情形與提報")
    page.select_option("#status", "met")
    page.click("text=篩選")
    page.wait_for_url(re.compile(r".*status=met.*"))
    assert page.locator("table.standing tbody tr").count() == 1
    assert page.get_by_text("本計畫的論壇獎勵須檢附發表及回應意見篇數統計表（附件1）").is_visible()
    page.check(f"input[name=employee][value='{fresh.pk}']")
    page.click("text=提報所選人員的獎勵")
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li").inner_text() == "已提報 1 件獎勵案。"
    assert page.locator("table.standing tbody tr .badge").inner_text() == "已提報"
    decision = Decision.objects.get()
    assert (decision.employee_id, decision.status, decision.facts["tally_sheet"]) == (fresh.pk, "requested", "附件1")
    no_unmasked_ids(page)
    shot(page, "coordinator-files-commendation")
    with page.expect_download() as download:
        page.click("text=下載 XLSX")
    assert download.value.suggested_filename == "tainan-101-standing.xlsx"


def test_hr_imports_a_records_file_in_the_admin_and_watches_it_finish(live_server, page, tmp_path):
    employee = EmployeeFactory(name="柯小華", national_id=nationalid.make("K1", 1234567))
    path = tmp_path / "records.csv"
    path.write_text(
        "身分證字號,姓名,課程名稱,學習迄日,學習時數,數位時數\n"
        f"{employee.national_id},柯小華,公務倫理與廉政,103/05/02 20:30,2,2\n"
        f"{employee.national_id},柯小華,性別主流化概論,1030510,1,1\n",
        encoding="utf-8",
    )
    log_in(page, live_server, user(Role.HR, is_staff=True, is_superuser=True))
    page.click("text=管理後台")
    page.click("a[href='/admin/portal/importbatch/']")
    page.click("text=上傳檔案匯入")
    page.select_option("#id_kind", "records")
    page.set_input_files("#id_file", str(path))
    page.click("text=上傳並匯入")
    page.wait_for_url(re.compile(r".*/imports/\d+/"))
    page.wait_for_selector("text=匯入完成", timeout=20_000)  # the page refreshes itself until the job ends
    assert page.get_by_text("匯入完成：共 2 列，新增 2、更新 0、未變動 0。").is_visible()
    assert page.locator(".badge").inner_text() == "已匯入"
    shot(page, "hr-import-done")
    page.click("text=所有匯入批次（管理後台）")
    assert page.locator("#result_list tbody tr").first.inner_text().split("\t")[2:5] == [
        "學習紀錄",
        "records.csv",
        "已匯入",
    ]
    assert list(LearningRecord.objects.values_list("course_name", flat=True).order_by("completed_on")) == [
        "公務倫理與廉政",
        "性別主流化概論",
    ]
    assert ImportBatch.objects.get().status == "applied"
    shot(page, "hr-import-admin-list")
