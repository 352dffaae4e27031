"""Messages (issue 18 items 3–5), in-process: every event and reminder kind ends in Django's
outbox with its Chinese subject, body and link; reminders are found in a fixed number of
queries, sent once and again after a change; opt-outs are respected and mandatory notices not
optable; each role's home page lists the same to-do items. Through a real worker:
tests/test_notices_worker.py."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.urls import reverse

from leave import services as leave_services
from leave.models import Application, Entry
from portal.models import Notice, NoticeOptOut, Role
from programs.models import Plan
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory

BASE = "http://localhost:8000"
LEAVE = {
    "code": "leave",
    "kind": "leave_offduty_list",
    "window": {"start": "2012-01-01", "end": "2012-09-30"},
    "min_digital_hours": 5,
    "min_total_hours": 40,
    "cap_hours": 8,
    "use_within_months": 6,
    "final_cutoff": "2012-12-28",
    "list": "policy-courses",
}
FORUM = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "clause": "柒、一、（二）",
    "filing_deadline": "2012-10-15",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [
        {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]},
    ],
}


@pytest.fixture
def world(db, settings):
    settings.PORTAL_TODAY = "2012-09-03"
    settings.PORTAL_BASE_URL = BASE
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    plan = Plan.objects.create(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [LEAVE, FORUM]},
        off_duty_definition="whole_days",
    )
    unit = UnitFactory(agency=agency, name="考訓科")
    employee = EmployeeFactory(unit=unit, name="王小明")
    head = EmployeeFactory(unit=unit, name="林主管")
    supervisor = UserFactory(role=Role.SUPERVISOR, employee=head, email="lin@example.tw")
    supervisor.headed_units.set([unit])
    return {
        "plan": plan,
        "agency": agency,
        "employee": employee,
        "user": UserFactory(role=Role.EMPLOYEE, employee=employee, email="ming@example.tw"),
        "supervisor": supervisor,
        "coordinator": UserFactory(
            role=Role.COORDINATOR, agencies=[agency], email="coord@example.tw", employee=EmployeeFactory(unit=unit)
        ),
        "hr": UserFactory(role=Role.HR, is_staff=True, email="hr@example.tw"),
    }


def grant(world, hours, earned, until, employee=None):
    return Entry.objects.create(
        employee=employee or world["employee"],
        plan=world["plan"],
        kind="grant",
        hours=hours,
        earned_on=earned,
        usable_until=until,
    )


def apply_on_the_page(client, world, capture, day="2012-09-20"):
    client.force_login(world["user"])
    with capture(execute=True):
        response = client.post(
            reverse("leave:mine"),
            {"plan": world["plan"].pk, "leave_date": day, "starts_at": "09:00", "ends_at": "11:00"},
        )
    assert response.status_code == 302
    return Application.objects.get()


def test_supervisor_hears_an_application_waits_for_their_approval(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2013, 2, 1))
    apply_on_the_page(client, world, django_capture_on_commit_callbacks)
    assert [(m.to, m.subject) for m in mailoutbox] == [(["lin@example.tw"], "【數位學習】補休申請待核章：王小明")]
    assert mailoutbox[0].body == (
        "林主管 您好：\n\n"
        "王小明 申請補休（101年9月20日 09:00–11:00 共 2 小時），待您核章。\n\n"
        f"請至下列網址核章或退回：\n{BASE}/leave/approvals/\n"
    )
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.email) == (world["supervisor"], "leave_waiting", "lin@example.tw")


def test_employee_hears_the_approval_and_the_registration(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2013, 2, 1))
    application = apply_on_the_page(client, world, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    client.force_login(world["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leave:approvals"), {"application": application.pk, "decision": "approve"})
    client.force_login(world["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leave:registrations"), {"application": [application.pk]})
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ming@example.tw"], "【數位學習】補休申請已核章：101年9月20日"),
        (["ming@example.tw"], "【數位學習】補休申請已登記：101年9月20日"),
    ]
    assert mailoutbox[0].body == (
        "王小明 您好：\n\n"
        "您申請的補休（101年9月20日 09:00–11:00 共 2 小時）已由單位主管核章，待人事單位登記。\n\n"
        f"請至下列網址查看：\n{BASE}/leave/\n"
    )
    assert mailoutbox[1].body == (
        "王小明 您好：\n\n"
        "您申請的補休（101年9月20日 09:00–11:00 共 2 小時）已由人事單位登記完成。\n\n"
        f"請至下列網址查看：\n{BASE}/leave/\n"
    )


def test_employee_hears_a_return_with_its_reason_even_when_opted_out_of_everything(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2013, 2, 1))
    application = apply_on_the_page(client, world, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    NoticeOptOut.objects.create(user=world["user"], kind="leave_returned")  # refused by the page; here by hand
    client.force_login(world["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("leave:approvals"), {"application": application.pk, "decision": "return", "note": "當日有會議"}
        )
    assert [m.subject for m in mailoutbox] == ["【數位學習】補休申請已退回：101年9月20日"]
    assert mailoutbox[0].body == (
        "王小明 您好：\n\n"
        "您申請的補休（101年9月20日 09:00–11:00 共 2 小時）已由單位主管退回，時數已退還。\n退回理由：當日有會議\n\n"
        f"請至下列網址查看：\n{BASE}/leave/\n"
    )


def test_a_rolled_back_change_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2013, 2, 1))
    with django_capture_on_commit_callbacks(execute=True):
        application = leave_services.apply(world["user"], world["plan"], dt.date(2012, 9, 20), dt.time(9), dt.time(11))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            leave_services.decide(world["supervisor"], application, approve=True)
            raise RuntimeError("the page failed after the approval")
    assert (callbacks, mailoutbox) == ([], [])
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not Notice.objects.filter(kind="leave_approved").exists()


# --- decisions -----------------------------------------------------------------------------------


def decisions_world(settings):
    from tests.test_decision_desk import setup_world

    world = setup_world(settings)
    settings.PORTAL_BASE_URL = BASE
    world["coordinator"].email = "coord@example.tw"
    world["coordinator"].save()
    wang = world["people"][0]
    world["wang"] = UserFactory(role=Role.EMPLOYEE, employee=wang, email="wang@example.tw")
    return world


def test_coordinator_hears_a_return_and_a_rejection_with_the_reason(
    db, settings, client, mailoutbox, django_capture_on_commit_callbacks
):
    world = decisions_world(settings)
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"all": "1"})
    from incentives.models import Decision

    lin = Decision.objects.get(employee__name="林美玲")
    chen = Decision.objects.get(employee__name="陳大文")
    client.force_login(world["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/incentives/decisions/", {"action": "return", "decision": [lin.pk], "reason": "請補附統計表"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/incentives/decisions/", {"action": "reject", "decision": [chen.pk], "reason": "篇數含灌水文章"})
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["coord@example.tw"], "【數位學習】獎勵提報退回：林美玲"),
        (["coord@example.tw"], "【數位學習】獎勵不予核定：陳大文"),
    ]
    staff = f"{BASE}/incentives/plan/tainan-101/staff/"
    assert mailoutbox[0].body == (
        "您好：\n\n"
        "您提報的「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））獎勵（林美玲，嘉獎 1 次）已由人事單位退回，"
        "請依理由修正後重新提報。\n退回理由：請補附統計表\n\n"
        f"請至下列網址查看：\n{staff}\n"
    )
    assert mailoutbox[1].body == (
        "您好：\n\n"
        "「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））獎勵（陳大文，嘉獎 1 次）經人事單位決定不予核定。\n"
        "不予核定理由：篇數含灌水文章\n\n"
        f"請至下列網址查看：\n{staff}\n"
    )
    # The coordinator's to-do list names the returned request to file again.
    client.force_login(world["coordinator"])
    home = client.get("/")
    assert [item for m in home.context["todo"] for item in m.items] == [
        ("「臺南市政府101年度計畫」退回待重新提報 1 件", 1, "/incentives/plan/tainan-101/staff/")
    ]
    assert '<li><a href="/incentives/plan/tainan-101/staff/">「臺南市政府101年度計畫」退回待重新提報 1 件</a></li>' in (
        home.content.decode()
    )


def test_employee_hears_the_order_with_its_number(db, settings, client, mailoutbox, django_capture_on_commit_callbacks):
    world = decisions_world(settings)
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"all": "1"})
    from incentives.models import Decision

    wang = Decision.objects.get(employee__name="王小明")
    client.force_login(world["hr"])
    client.post("/incentives/decisions/", {"action": "approve", "decision": [wang.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/incentives/decisions/",
            {
                "action": "issue",
                "decision": [wang.pk],
                "order_number": "南市人考字第1010001號",
                "order_date": "101/10/20",
            },
        )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["wang@example.tw"], "【數位學習】獎懲令已發布：嘉獎 2 次（南市人考字第1010001號）")
    ]
    wang.refresh_from_db()
    assert mailoutbox[0].body == (
        "王小明 您好：\n\n"
        "您在「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））的獎勵已發布獎懲令：嘉獎 2 次。\n"
        f"獎懲令文號：南市人考字第1010001號\n獎懲令日期：101年10月20日\n事由：{wang.reason}\n\n"
        f"請至下列網址查看：\n{BASE}/incentives/me/\n"
    )
