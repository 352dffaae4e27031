"""Messages (issue 18 items 3–5), in-process: every event and reminder kind ends in Django's
outbox with its Chinese subject, body and link; reminders are found in a fixed number of
queries, sent once and again after a change; opt-outs are respected and mandatory notices not
optable; each role's home page lists the same to-do items. Through a real worker:
tests/test_notices_worker.py."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from courses.models import CourseList
from leave import services as leave_services
from leave.models import Application, Entry
from portal.models import AuditEntry, Notice, NoticeOptOut, Role
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
    CourseList.objects.create(plan=plan, slug="policy-courses", name="政策性課程")
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
        "承辦 您好：\n\n"
        "您提報的「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））獎勵（林美玲，嘉獎 1 次）已由人事單位退回，"
        "請依理由修正後重新提報。\n退回理由：請補附統計表\n\n"
        f"請至下列網址查看：\n{staff}\n"
    )
    assert mailoutbox[1].body == (
        "承辦 您好：\n\n"
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


# --- reminders -----------------------------------------------------------------------------------


def reminders(as_of=None) -> str:
    out = io.StringIO()
    call_command("send_reminders", *(["--as-of", as_of] if as_of else []), stdout=out)
    return out.getvalue()


def test_lapsing_hours_are_reminded_once_and_again_after_a_change(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    grant(world, D(4), dt.date(2012, 4, 1), dt.date(2012, 9, 30))
    grant(world, D("1.5"), dt.date(2012, 4, 2), dt.date(2012, 10, 2))
    grant(world, D(3), dt.date(2012, 7, 1), dt.date(2013, 1, 1))  # beyond 30 days: not mentioned
    assert reminders().splitlines() == [
        "7 日內截止提報、尚未提報的人員：已寄送 0 封",
        "獎勵案待辦（待核定、待發布獎懲令）：已寄送 0 封",
        "補休時數 30 日內即將失效：已寄送 1 封",
        "補休申請待我核章：已寄送 0 封",
        "補休待辦（待登記、待複核）：已寄送 0 封",
        "提醒（101/09/03）：已寄送共 1 封。",
    ]
    assert [(m.to, m.subject) for m in mailoutbox] == [(["ming@example.tw"], "【數位學習】補休 5.5 小時即將失效")]
    assert mailoutbox[0].body == (
        "王小明 您好：\n\n"
        "您有補休 5.5 小時將於 30 日內失效：\n"
        "・4 小時，101年9月30日 前須使用\n"
        "・1.5 小時，101年10月2日 前須使用\n\n"
        f"逾期未使用即失效。請至下列網址申請補休：\n{BASE}/leave/\n"
    )
    # The next night: nothing changed, nothing sent.
    mailoutbox.clear()
    assert reminders().splitlines()[-1] == "提醒（101/09/03）：已寄送共 0 封。"
    assert mailoutbox == []
    # Two hours used: the reminder says so once more.
    apply_on_the_page(client, world, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    reminders()
    ming = [m for m in mailoutbox if m.to == ["ming@example.tw"]]
    assert [m.subject for m in ming] == ["【數位學習】補休 3.5 小時即將失效"]
    assert "・2 小時，101年9月30日 前須使用\n" in ming[0].body
    assert Notice.objects.filter(kind="leave_lapsing").count() == 1


def test_an_opted_out_reminder_is_not_sent_and_mandatory_notices_cannot_be_turned_off(world, client, mailoutbox):
    grant(world, D(4), dt.date(2012, 4, 1), dt.date(2012, 9, 30))
    client.force_login(world["user"])
    page = client.get(reverse("notice-preferences")).content.decode()
    assert '<input type="checkbox" name="kind" value="leave_lapsing" checked> 補休時數 30 日內即將失效</label>' in page
    assert (
        '<input type="checkbox" name="kind" value="leave_approved" checked disabled> 補休申請經主管核章'
        "（必要通知，不能關閉）</label>"
    ) in page
    # Everything unticked: only the reminder kind is turned off; the mandatory ones stay on.
    response = client.post(reverse("notice-preferences"), {})
    assert response.status_code == 302
    assert list(NoticeOptOut.objects.values_list("user__username", "kind")) == [
        (world["user"].username, "leave_lapsing")
    ]
    entry = AuditEntry.objects.get(action="notice_preferences")
    assert (entry.after, entry.summary) == ({"off": ["leave_lapsing"]}, "通知設定：不接收 補休時數 30 日內即將失效")
    reminders()
    assert mailoutbox == []
    # Turned on again: it goes.
    client.post(reverse("notice-preferences"), {"kind": ["leave_lapsing"]})
    assert not NoticeOptOut.objects.exists()
    reminders()
    assert [m.to for m in mailoutbox] == [["ming@example.tw"]]


def crowd(world, n: int, start: int):
    """n more people of the unit, each with hours lapsing soon, an application waiting for the
    supervisor, an approved one waiting for HR and forum posts that earn an eligible decision."""
    from courses.models import ForumTally
    from incentives import services as incentive_services

    for i in range(start, start + n):
        person = EmployeeFactory(unit=world["employee"].unit, name=f"人員{i}")
        UserFactory(role=Role.EMPLOYEE, employee=person, email=f"p{i}@example.tw")
        grant(world, D(2), dt.date(2012, 5, 1), dt.date(2012, 10, 30), employee=person)
        for status, day in (("submitted", dt.date(2012, 10, 22)), ("approved", dt.date(2012, 10, 23))):
            Application.objects.create(
                employee=person,
                plan=world["plan"],
                leave_date=day,
                starts_at=dt.time(9),
                ends_at=dt.time(11),
                hours=2,
                status=status,
            )
        ForumTally.objects.create(
            employee=person,
            forum="論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=250,
            replies=0,
        )
    incentive_services.save_evaluation(world["hr"], world["plan"], dt.date(2012, 9, 30))


def test_reminders_find_everyone_due_in_a_fixed_number_of_queries(world, settings, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.notices import send_reminders

    settings.PORTAL_TODAY = "2012-10-10"

    def run():
        with CaptureQueriesContext(connection) as queries:
            sent = send_reminders(dt.date(2012, 10, 10))
        return len(queries), {kind: len(messages) for kind, messages in sent.items()}

    crowd(world, 2, 0)
    small = run()
    Notice.objects.all().delete()
    crowd(world, 6, 2)
    mailoutbox.clear()
    large = run()
    assert small[1] == {
        "leave_lapsing": 2,
        "leave_waiting": 1,
        "leave_hr_waiting": 1,
        "filing_deadline": 1,
        "decision_hr_waiting": 0,
    }
    assert large[1] == {**small[1], "leave_lapsing": 8}
    assert small[0] == large[0]
    deadline = next(m for m in mailoutbox if m.to == ["coord@example.tw"])
    assert deadline.subject == "【數位學習】提報期限 101年10月15日：尚有 8 人未提報"
    # Built once for the agency, addressed to each coordinator when sent (their person's name).
    assert deadline.body == (
        f"{world['coordinator'].employee.name} 您好：\n\n"
        "「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））的獎勵須於 101年10月15日 前提報，下列 8 人尚未提報：\n"
        + "、".join(f"人員{i}" for i in range(8))
        + f"\n\n逾期機關即不能提報。請至下列網址提報：\n{BASE}/incentives/plan/tainan-101/staff/\n"
    )
    hr = next(m for m in mailoutbox if m.to == ["hr@example.tw"])
    assert hr.subject == "【數位學習】補休待辦：核章後待登記的補休申請 8 件"
    assert hr.body == (
        # This HR account has neither a person nor a name: the greeting stays unaddressed.
        f"您好：\n\n下列補休事項待您處理：\n・核章後待登記的補休申請 8 件：{BASE}/leave/registrations/\n"
    )
    supervisor = next(m for m in mailoutbox if m.to == ["lin@example.tw"])
    assert supervisor.subject == "【數位學習】補休申請待核章 8 件"
    assert supervisor.body.startswith(
        "林主管 您好：\n\n下列 8 件補休申請待您核章：\n・人員0：101年10月22日 09:00–11:00 共 2 小時\n"
    )
    assert supervisor.body.endswith(f"\n\n請至下列網址核章或退回：\n{BASE}/leave/approvals/\n")


def test_each_roles_home_page_lists_its_to_do_items(world, settings, client):
    settings.PORTAL_TODAY = "2012-10-10"
    crowd(world, 2, 0)
    grant(world, D(3), dt.date(2012, 5, 1), dt.date(2012, 10, 20))

    def items(user):
        client.force_login(user)
        return [item for message in client.get("/").context["todo"] for item in message.items]

    assert items(world["user"]) == [("補休 3 小時將於 30 日內失效（最早 101年10月20日）", "3", "/leave/")]
    assert items(world["supervisor"]) == [("補休申請待核章 2 件", 2, "/leave/approvals/")]
    assert items(world["coordinator"]) == [
        (
            "「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））於 101年10月15日 截止提報，尚有 2 人未提報",
            2,
            "/incentives/plan/tainan-101/staff/",
        )
    ]
    assert items(world["hr"]) == [("核章後待登記的補休申請 2 件", 2, "/leave/registrations/")]
    # The head's own applications are HR's to approve (leave.services.heads_own), not the head's.
    for day in (dt.date(2012, 10, 24), dt.date(2012, 10, 25)):
        Application.objects.create(
            employee=world["supervisor"].employee,
            plan=world["plan"],
            leave_date=day,
            starts_at=dt.time(9),
            ends_at=dt.time(10),
            hours=1,
        )
    assert items(world["supervisor"]) == [("補休申請待核章 2 件", 2, "/leave/approvals/")]
    assert items(world["hr"]) == [
        ("核章後待登記的補休申請 2 件", 2, "/leave/registrations/"),
        ("單位主管本人的補休申請待人事核章 2 件", 2, "/admin/leave/application/?status__exact=submitted"),
    ]
    client.force_login(world["supervisor"])
    assert '<li><a href="/leave/approvals/">補休申請待核章 2 件</a></li>' in client.get("/").content.decode()


def test_the_home_pages_to_do_list_runs_the_same_queries_for_2_and_8_people(world, settings, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PORTAL_TODAY = "2012-10-10"

    def counts():
        found = {}
        for role in ("user", "supervisor", "coordinator", "hr"):
            client.force_login(world[role])
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/").status_code == 200
            found[role] = len(queries)
        return found

    crowd(world, 2, 0)
    small = counts()
    crowd(world, 6, 2)
    assert counts() == small


def test_an_event_job_delivered_twice_sends_once_and_a_dry_run_sends_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from portal.notices import send_event

    grant(world, D(4), dt.date(2012, 4, 1), dt.date(2012, 9, 30))
    with django_capture_on_commit_callbacks(execute=False):
        application = leave_services.apply(world["user"], world["plan"], dt.date(2012, 9, 20), dt.time(9), dt.time(11))
    items = [(application.pk, "2012-09-03T10:00:00+08:00")]
    assert len(send_event("leave_waiting", items)) == 1
    assert send_event("leave_waiting", items) == []  # redelivered (acks_late): already logged
    assert [m.to for m in mailoutbox] == [["lin@example.tw"]]
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "提醒（101/09/03）：將寄送共 2 封。"
    assert [m.to for m in mailoutbox] == [["lin@example.tw"]]
    assert not Notice.objects.filter(kind="leave_lapsing").exists()


def test_hr_reads_the_notices_sent_in_the_admin_and_cannot_change_them(world, client, mailoutbox):
    grant(world, D(4), dt.date(2012, 4, 1), dt.date(2012, 9, 30))
    reminders()
    from django.contrib.auth.models import Permission

    # Granted as any admin permission is (the user's admin page); deleting is refused to everyone.
    world["hr"].user_permissions.set(Permission.objects.filter(codename__in=["view_notice", "delete_notice"]))
    client.force_login(world["hr"])
    page = client.get(reverse("admin:portal_notice_changelist"))
    assert page.status_code == 200
    assert [(n.recipient.username, n.kind, n.subject) for n in page.context["cl"].result_list] == [
        (world["user"].username, "leave_lapsing", "【數位學習】補休 4 小時即將失效")
    ]
    assert "補休時數 30 日內即將失效" in page.content.decode()  # the kind's label in the filter and the list
    notice = Notice.objects.get()
    assert client.post(reverse("admin:portal_notice_delete", args=[notice.pk]), {"post": "yes"}).status_code == 403
    assert Notice.objects.count() == 1


def test_the_console_backend_prints_the_subject_as_a_person_reads_it(settings):
    """`make run` shows the demo's mail in the terminal: the Chinese subject in plain text, not
    MIME-encoded (Django's own console backend prints =?utf-8?b?…?=)."""
    import io

    from django.core.mail import EmailMessage

    from portal.mail import ConsoleBackend

    stream = io.StringIO()
    ConsoleBackend(stream=stream).send_messages(
        [
            EmailMessage(
                "【數位學習】補休申請待核章：王小明", "林主管 您好：", "noreply@elearning.gov.tw", ["lin@example.tw"]
            )
        ]
    )
    assert stream.getvalue() == (
        "收件者：lin@example.tw\n主旨：【數位學習】補休申請待核章：王小明\n\n林主管 您好：\n" + "-" * 79 + "\n"
    )
