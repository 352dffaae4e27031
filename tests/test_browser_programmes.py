"""Issue 19 in a real browser, each step reached from the person's home page through links and
forms only (no service called): e-mentoring put forward by coordinators and paired by HR across
agencies, the English camp's levels, extra places and reallocation, and the seasonal draws."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from incentives.models import Draw
from portal.models import Role
from programs.loader import load_plans
from programs.models import CampNomination, MentoringCandidate, MentoringPair
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CampQuotaFactory,
    EmployeeFactory,
    EntryFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
)
from tests.test_browser import log_in, no_unmasked_ids, shot, user

pytestmark = pytest.mark.django_db(transaction=True)


def messages_shown(page) -> list[str]:
    page.wait_for_selector("ul.messages li")
    return page.locator("ul.messages li").all_inner_texts()


def sign_out(page):
    page.context.clear_cookies()


def open_plan(page, title: str):
    """From the home page's table of plans to the plan's page."""
    page.click("text=首頁")
    page.locator("table").get_by_role("link", name=title, exact=True).click()


def test_coordinators_put_forward_hr_pairs_across_agencies_and_each_sees_their_pair(live_server, page, settings):
    settings.PORTAL_TODAY = "2014-05-01"
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度數位學習計畫",
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
    )
    ActivityFactory(plan=plan, slug="mentoring", kind="mentoring", name="電子師徒制")
    education = AgencyFactory(name="高雄市政府教育局", parent=government)
    social = AgencyFactory(name="高雄市政府社會局", parent=government)
    mentor = EmployeeFactory(unit=UnitFactory(agency=education, name="國教科"), name="甲師父")
    same_agency = EmployeeFactory(unit=UnitFactory(agency=education, name="體衛科"), name="甲徒弟")
    mentee = EmployeeFactory(unit=UnitFactory(agency=social, name="社工科"), name="乙徒弟")

    def put_forward(person, role_label):
        page.select_option("#employee", str(person.pk))
        page.get_by_role("radio", name=role_label, exact=True).check()
        page.fill("#note", "公文寫作")
        page.click("form:has(#employee) button[type=submit]")
        return messages_shown(page)

    log_in(page, live_server, user(Role.COORDINATOR, agencies=[education]))
    open_plan(page, plan.title)
    page.click("text=推薦師父與徒弟")
    assert put_forward(mentor, "師父") == ["已推薦甲師父為師父。"]
    assert put_forward(same_agency, "徒弟") == ["已推薦甲徒弟為徒弟。"]
    sign_out(page)
    log_in(page, live_server, user(Role.COORDINATOR, agencies=[social]))
    open_plan(page, plan.title)
    page.click("text=推薦師父與徒弟")
    assert put_forward(mentee, "徒弟") == ["已推薦乙徒弟為徒弟。"]
    # A coordinator sees only their own agency's people, and no pairing form.
    assert page.locator("#mentor").count() == 0
    assert "甲師父" not in page.locator("main").inner_text()
    sign_out(page)

    log_in(page, live_server, user(Role.HR, agencies=[government]))
    open_plan(page, plan.title)
    page.click("text=師徒推薦與配對")
    page.select_option("#mentor", str(mentor.pk))
    page.select_option("#mentee", str(same_agency.pk))
    page.click("form:has(#mentor) button[type=submit]")
    assert messages_shown(page) == ["甲師父與甲徒弟同屬高雄市政府教育局；電子師徒制須跨機關配對。"]
    assert not MentoringPair.objects.exists()
    page.select_option("#mentor", str(mentor.pk))
    page.select_option("#mentee", str(mentee.pk))
    page.click("form:has(#mentor) button[type=submit]")
    assert messages_shown(page) == ["已配對：師父甲師父、徒弟乙徒弟。"]
    assert page.locator("section.card:has(h2:text-is('師徒配對')) tbody tr").inner_text().split("\t")[:2] == [
        "高雄市政府教育局 甲師父",
        "高雄市政府社會局 乙徒弟",
    ]
    no_unmasked_ids(page)
    shot(page, "hr-mentoring-pairs")
    sign_out(page)

    # Each person finds their pair from their home page.
    seen = {}
    for person in (mentor, mentee, same_agency):
        log_in(page, live_server, user(Role.EMPLOYEE, employee=person))
        page.click("text=查看今年的學習時數、各項獎勵與補休的進度")
        page.click("text=電子師徒制：我的師徒配對")
        assert page.url == f"{live_server.url}/programs/mentoring/mine/"
        seen[person.name] = page.locator("section.card").inner_text().strip()
        sign_out(page)
    assert seen == {
        "甲師父": "高雄市政府103年度數位學習計畫　電子師徒制： 您的徒弟是 高雄市政府社會局 乙徒弟。",
        "乙徒弟": "高雄市政府103年度數位學習計畫　電子師徒制： 您的師父是 高雄市政府教育局 甲師父。",
        "甲徒弟": "您目前沒有師徒配對。",
    }
    assert MentoringCandidate.objects.count() == 3


def test_coordinator_states_levels_and_asks_extra_places_and_hr_reallocates(live_server, page, settings):
    settings.PORTAL_TODAY = "2015-05-01"
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
    camp = ActivityFactory(
        plan=plan,
        slug="english-camp",
        kind="english_camp",
        name="線上英語營",
        details={"quota_per_government": 2, "max_extra_per_government": 10, "circle_leaders": {"min": 1, "max": 3}},
    )
    county = AgencyFactory(name="示範縣政府")
    unit = UnitFactory(agency=AgencyFactory(name="示範縣政府人事處", parent=county), name="綜合企劃科")
    staff = [EmployeeFactory(unit=unit, name=name) for name in ("初級甲", "中級乙", "中高丙")]
    CampQuotaFactory(activity=camp, government=AgencyFactory(name="乙縣政府"), base=50)

    log_in(page, live_server, user(Role.COORDINATOR, agencies=[unit.agency]))
    open_plan(page, plan.title)
    page.click("text=推薦英語營人員")
    page.fill("#circle", "A")
    for person, level in zip(staff, ("初級", "中級", "中高級")):
        page.check(f"input[name=employee][value='{person.pk}']")
        page.select_option(f"select[name=level_{person.pk}]", label=level)
    page.check(f"input[name=leader][value='{staff[0].pk}']")
    page.click("text=送出推薦")
    page.wait_for_selector("text=推薦結果")
    outcomes = page.locator("section.card:has(h2:text-is('推薦結果')) li").all_inner_texts()
    assert sorted(outcomes) == sorted(
        ["初級甲：已推薦", "中級乙：已推薦", "中高丙：英語程度為中高級，本營隊限中級以下"]
    )
    # Both places used: the coordinator asks for extra ones, within the limit of 10.
    page.fill("#count", "10")
    page.click("button:has-text('申請增額')")
    assert messages_shown(page) == ["示範縣政府已申請增額 10 名。"]
    no_unmasked_ids(page)
    sign_out(page)

    log_in(page, live_server, user(Role.HR, agencies=[rad]))
    open_plan(page, plan.title)
    page.click("text=英語營名額、增額申請與重新分配")
    page.click("text=重新分配名額")
    assert messages_shown(page) == ["已重新分配名額：增額共 10 名。"]
    rows = page.locator("section.card:has(h2:text-is('名額與增額')) tbody tr").all_inner_texts()
    assert [row.split("\t") for row in rows] == [
        ["乙縣政府", "50", "0", "0", "0"],
        ["示範縣政府", "2", "2", "10", "10"],
    ]
    shot(page, "hr-camp-reallocation")
    assert sorted(CampNomination.objects.values_list("employee__name", "level")) == [
        ("中級乙", "intermediate"),
        ("初級甲", "elementary"),
    ]


def test_hr_sets_a_season_publishes_the_seed_and_draws_one_win_per_person(live_server, page, settings, tmp_path):
    settings.PORTAL_TODAY = "2014-02-20"
    (plan,) = load_plans([Path(django_settings.BASE_DIR) / "fixtures" / "plans" / "kaohsiung-103.yaml"])
    courses = tmp_path / "spring.csv"
    courses.write_text("課程名稱,認證時數\n環境教育概論,2\n氣候變遷調適,2\n低碳生活,1\n", encoding="utf-8")
    call_command("import_course_list", plan.slug, "seasonal-reading-spring", str(courses), stdout=io.StringIO())
    agency = AgencyFactory(name="高雄市政府環境保護局", parent=plan.issuer)
    people = [EmployeeFactory(unit=UnitFactory(agency=agency), name=f"抽獎人{i}") for i in range(4)]
    # Three courses each for 抽獎人0 and 1, one for 2: 7 chances; 抽獎人3 finished after the season.
    done = {
        0: ["環境教育概論", "氣候變遷調適", "低碳生活"],
        1: ["環境教育概論", "氣候變遷調適", "低碳生活"],
        2: ["低碳生活"],
    }
    for index, names in done.items():
        for name in names:
            LearningRecordFactory(
                employee=people[index],
                course_name=name,
                hours=1,
                completed_on=dt.date(2014, 4, 10),
            )
    LearningRecordFactory(
        employee=people[3],
        course_name="低碳生活",
        hours=1,
        completed_on=dt.date(2014, 6, 1),
    )

    log_in(page, live_server, user(Role.HR, agencies=[plan.issuer]))
    page.locator("table tr", has_text=plan.title).get_by_role("link", name="計畫規則").click()
    page.click("text=各季抽獎")
    page.click("text=設定各季活動期間與獎品份數")
    page.fill("[name='seasons.0.starts_on']", "103/03/01")
    page.fill("[name='seasons.0.ends_on']", "103/05/31")
    page.fill("[name='seasons.0.prizes']", "5")
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_selector("ul.messages li")
    page.click("nav.crumbs >> text=計畫規則")
    page.click("text=各季抽獎")
    spring = page.locator("section.card", has=page.locator("h2", has_text="春‧悅讀"))
    assert "103/03/01–103/05/31" in spring.inner_text()
    assert "目前抽獎機會：7 次" in spring.inner_text()
    spring.locator("input[name=seed]").fill("103/05/30 公益彩券 03 11 24 30 36 41")
    spring.locator("text=公布種子").click()
    assert messages_shown(page) == ["已公布抽獎種子。"]
    settings.PORTAL_TODAY = "2014-06-02"  # the season has ended
    page.reload()
    spring.locator("text=抽出中獎者").click()
    # Five prizes but three people with chances: each wins once.
    assert messages_shown(page) == ["春‧悅讀已抽出 3 名。"]
    winners = spring.locator("table tbody tr").all_inner_texts()
    assert sorted(row.split("\t")[2] for row in winners) == ["抽獎人0", "抽獎人1", "抽獎人2"]
    assert "抽獎機會清單 SHA-256" in spring.inner_text()
    no_unmasked_ids(page)
    shot(page, "hr-seasonal-draw")
    draw = Draw.objects.get()
    assert (draw.season, draw.status, len(draw.chances), len(draw.winners)) == ("spring", "drawn", 7, 3)
    sign_out(page)
    # A winner finds it on their own page, reached from home.
    log_in(page, live_server, user(Role.EMPLOYEE, employee=people[2]))
    page.click("text=查看今年的學習時數、各項獎勵與補休的進度")
    assert "春‧悅讀" in page.locator("section.card:has(h2:text-is('抽獎結果'))").inner_text()


def test_employee_applies_for_leave_typing_an_roc_date_with_the_keyboard_only(live_server, page, settings):
    """Issue 17: the leave form takes 101/09/20, as every other date the portal reads, by keyboard."""
    from leave.models import Application, RecordUse
    from tests.factories import LearningRecordFactory, PlanFactory

    settings.PORTAL_TODAY = "2012-09-01"
    government = AgencyFactory(name="臺南市政府")
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        off_duty_definition="whole_days",
        parameters={"rules": [shipped_leave_rule()]},
    )
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government)))
    record = LearningRecordFactory(employee=employee, hours=4, completed_on=dt.date(2012, 8, 1))
    grant = EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=4,
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    RecordUse.objects.create(record=record, grant=grant)
    log_in(page, live_server, user(Role.EMPLOYEE, employee=employee))
    page.click("text=補休餘額、申請與申請表")
    page.focus("body")
    for _ in range(200):  # Tab to the date box, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "id_leave_date":
            break
    page.keyboard.type("101/09/20")
    assert page.input_value("#id_leave_date") == "101/09/20"
    page.keyboard.press("Enter")  # submits the form
    assert messages_shown(page) == ["已送出補休申請，待單位主管於線上核章。"]
    shot(page, "employee-leave-roc-date")
    application = Application.objects.get()
    assert (application.leave_date, application.status) == (dt.date(2012, 9, 20), "submitted")
    assert "101/09/20" in page.locator("main").inner_text()


def shipped_leave_rule() -> dict:
    """Tainan's off-duty leave rule as the shipped plan file states it."""
    from programs.loader import PLANS_DIR, plan_rules, read_plan_file

    return next(r for r in plan_rules(read_plan_file(PLANS_DIR / "tainan-101.yaml")) if r["code"] == "offduty-leave")
