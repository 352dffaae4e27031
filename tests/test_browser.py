"""What people do, in a real browser (Debian's chromium through Playwright)."""
import datetime as dt
import os
import re

import pytest

from courses.models import ForumTally
from portal import nationalid
from portal.models import Role
from programs.models import Activity, ClassHistory, Plan, Session, TrainingClass
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)
RAW_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:[1289]\d{8}|[A-D]\d{8})(?![A-Za-z0-9])")
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


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


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_employee_checks_progress_on_a_phone(live_server, page):
    government = AgencyFactory(name="臺南市政府")
    Plan.objects.create(slug="tainan-101", issuer=government, roc_year=101, title="臺南市政府101年度數位學習計畫",
                        ends_on=dt.date(2012, 12, 31), parameters={"rules": [
                            {"code": "forum-posts", "kind": "threshold_tiers", "window": {"start": "2012-01-01", "end": "2012-08-31"},
                             "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}]}]})
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government)))
    ForumTally.objects.create(employee=employee, forum="論壇", window_start=dt.date(2012, 1, 1),
                              window_end=dt.date(2012, 8, 31), posts=100, replies=63)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, user(Role.EMPLOYEE, employee=employee))
    page.click("text=我的學習")
    page.goto(f"{live_server.url}/incentives/me/?year=2012")
    assert page.get_by_text("論壇發表及回應篇數再 37 篇可達嘉獎 1 次，截止 101/08/31").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
    no_unmasked_ids(page)
    shot(page, "employee-progress-phone")


def test_coordinator_nominates_staff_and_sees_each_refusal_reason(live_server, page):
    agency = AgencyFactory(name="示範縣政府人事處", parent=AgencyFactory(name="示範縣政府"))
    plan = Plan.objects.create(slug="rad-104", issuer=AgencyFactory(name="研習中心"), roc_year=104, title="計畫")
    activity = Activity.objects.create(plan=plan, slug="classes", kind="training_class", name="研習班")
    basic = TrainingClass.objects.create(activity=activity, slug="basic", name="自製數位教材基礎班",
                                         conditions={"excludes_attended": ["basic"]})
    session = Session.objects.create(training_class=basic, number=1, capacity=30)
    unit = UnitFactory(agency=agency)
    fresh = EmployeeFactory(unit=unit, name="新手甲")
    veteran = EmployeeFactory(unit=unit, name="老手乙")
    ClassHistory.objects.create(employee=veteran, class_slug="basic", class_name="自製數位教材基礎班")
    log_in(page, live_server, user(Role.COORDINATOR, agencies=[agency]))
    page.goto(f"{live_server.url}/programs/sessions/{session.pk}/nominate/")
    no_unmasked_ids(page)
    page.check(f"input[value='{fresh.pk}']")
    page.check(f"input[value='{veteran.pk}']")
    page.click("text=送出推薦")
    rows = page.locator("section.card table tbody tr")
    assert rows.nth(0).inner_text().split("\t") == ["新手甲", "已推薦", "—"]
    assert rows.nth(1).inner_text().split("\t") == ["老手乙", "未受理", "曾參加「自製數位教材基礎班」，不符參加資格"]
    shot(page, "coordinator-nominates")


def test_hr_imports_a_roster_and_watches_it_finish(live_server, page, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("身分證字號,姓名,機關名稱,上級機關,單位,人員類別\n"
                    f"{nationalid.make('K1', 1234567)},柯小華,新北市政府人事處,新北市政府,考訓科,編制內\n", encoding="utf-8")
    log_in(page, live_server, user(Role.HR, is_staff=True))
    page.click("text=匯入資料")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(path))
    page.click("text=上傳並匯入")
    page.wait_for_url(re.compile(r".*/imports/\d+/"))
    assert page.get_by_text("匯入完成：共 1 列，新增 1、更新 0、未變動 0。").is_visible()
    shot(page, "hr-import-done")
