"""HR's decision desk (獎勵案): approve, return, reject, withhold, grant, accept late, one 獎懲令 for
many and its roster; filing deadlines; who sees what."""

import datetime as dt
import subprocess
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from incentives import services
from incentives.models import Decision
from portal.models import AuditEntry, Role
from tests.factories import AgencyFactory, EmployeeFactory, ForumTallyFactory, PlanFactory, UnitFactory, UserFactory

RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "clause": "柒、一、（二）",
    "filing_deadline": "2012-10-15",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [
        {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]},
        {"award": "commendation", "count": 2, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 500}]}]},
    ],
}
MODERATOR = {
    "code": "moderator",
    "kind": "discretionary",
    "clause": "柒、一、（一）",
    "text": "版主及社長",
    "max": {"award": "merit", "count": 1},
}
DESK = "/incentives/decisions/"


def setup_world(settings):
    settings.PORTAL_TODAY = "2012-10-01"  # inside the forum rule's filing deadline (101-10-15)
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [RULE, MODERATOR]},
    )
    unit = UnitFactory(agency=agency, name="考訓科")
    people = [EmployeeFactory(unit=unit, name=name, title="科員") for name in ("王小明", "林美玲", "陳大文", "張志豪")]
    for person, posts in zip(people, (520, 250, 230, 10)):
        ForumTallyFactory(
            employee=person,
            forum="論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=posts,
            replies=0,
        )
    kaohsiung = AgencyFactory(name="高雄市政府")
    return {
        "plan": plan,
        "people": people,
        "agency": agency,
        "hr": UserFactory(role=Role.HR, is_staff=True, first_name="人事"),
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency], first_name="承辦"),
        "kaohsiung_hr": UserFactory(role=Role.HR, is_staff=True, agencies=[kaohsiung]),
        "tainan_hr": UserFactory(role=Role.HR, is_staff=True, agencies=[government]),
    }


@pytest.fixture
def world(db, settings):
    return setup_world(settings)


def file_all(world, client):
    """The coordinator files everyone eligible on the staff page, as they would."""
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"all": "1"})
    client.force_login(world["hr"])


def decision_of(person) -> Decision:
    return Decision.objects.get(employee=person, rule_code="forum-posts")


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_desk_lists_decisions_with_full_id_award_and_status_in_chinese(world, client):
    file_all(world, client)
    page = client.get(DESK, {"plan": "tainan-101"})
    assert [d.employee.name for d in page.context["rows"]] == ["林美玲", "王小明", "陳大文"]
    body = page.content.decode()
    wang = world["people"][0]
    for expected in [
        wang.national_id,
        "嘉獎 2 次",
        "嘉獎 1 次",
        "機關已提報",
        "臺南市政府人事處",
        "考訓科",
        "論壇發表及回應（柒、一、（二））",
        "承辦",
        "101/10/01",
    ]:  # filed on the (pinned) day
        assert expected in body, expected


def test_desk_filters_by_status_rule_and_agency(world, client):
    file_all(world, client)
    services.approve(world["hr"], decision_of(world["people"][1]))
    assert [d.employee.name for d in client.get(DESK, {"status": "approved"}).context["rows"]] == ["林美玲"]
    assert len(client.get(DESK, {"rule": "moderator"}).context["rows"]) == 0
    assert len(client.get(DESK, {"agency": world["agency"].pk, "rule": "forum-posts"}).context["rows"]) == 3


def test_desk_runs_the_same_queries_for_one_and_three_decisions(world, client, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["coordinator"])
    staff = reverse("incentives:staff", args=["tainan-101"])
    client.post(staff, {"employee": [world["people"][0].pk]})
    client.force_login(world["hr"])
    client.get(DESK, {"status": "requested"})  # the session and content types, once
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(DESK, {"status": "requested"}).context["rows"]) == 1
    queries = len(one.captured_queries)  # read now: the next request clears the connection's log
    file_all(world, client)
    with django_assert_num_queries(queries):
        assert len(client.get(DESK, {"status": "requested"}).context["rows"]) == 3


def test_hr_approves_the_checked_decisions(world, client):
    file_all(world, client)
    wang, lin = decision_of(world["people"][0]), decision_of(world["people"][1])
    client.post(DESK, {"action": "approve", "decision": [wang.pk, lin.pk]})
    assert sorted(Decision.objects.values_list("employee__name", "status", "decided_by")) == [
        ("林美玲", "approved", world["hr"].pk),
        ("王小明", "approved", world["hr"].pk),
        ("陳大文", "requested", None),
    ]
    assert AuditEntry.objects.filter(action="decision_approved").count() == 2


def test_hr_returns_a_request_with_a_reason_and_the_coordinator_files_it_again(world, client):
    file_all(world, client)
    lin = decision_of(world["people"][1])
    assert errors(client.post(DESK, {"action": "return", "decision": [lin.pk], "reason": " "})) == [
        "請填寫退回的理由。"
    ]
    client.post(DESK, {"action": "return", "decision": [lin.pk], "reason": "請補附統計表（附件1）"})
    lin.refresh_from_db()
    assert (lin.status, lin.return_reason, lin.requested_by) == ("eligible", "請補附統計表（附件1）", None)
    assert AuditEntry.objects.filter(action="decision_returned", object_id=str(lin.pk)).count() == 1
    client.force_login(world["coordinator"])
    staff = reverse("incentives:staff", args=["tainan-101"])
    assert "人事單位退回：請補附統計表（附件1）" in client.get(staff).content.decode()
    client.post(staff, {"employee": [world["people"][1].pk]})
    lin.refresh_from_db()
    assert (lin.status, lin.requested_by) == ("requested", world["coordinator"])


def test_hr_rejects_with_a_reason_and_the_coordinator_sees_it(world, client):
    file_all(world, client)
    chen = decision_of(world["people"][2])
    assert errors(client.post(DESK, {"action": "reject", "decision": [chen.pk], "reason": ""})) == [
        "請填寫不予核定的理由。"
    ]
    assert Decision.objects.get(pk=chen.pk).status == "requested"
    client.post(DESK, {"action": "reject", "decision": [chen.pk], "reason": "篇數含灌水文章"})
    chen.refresh_from_db()
    assert (chen.status, chen.rejection_reason) == ("rejected", "篇數含灌水文章")
    assert "不予核定理由：篇數含灌水文章" in client.get(DESK).content.decode()
    client.force_login(world["coordinator"])
    assert "不予核定：篇數含灌水文章" in client.get(reverse("incentives:staff", args=["tainan-101"])).content.decode()


def test_hr_withholds_with_a_reason(world, client):
    file_all(world, client)
    wang = decision_of(world["people"][0])
    client.post(DESK, {"action": "withhold", "decision": [wang.pk], "reason": "課程完成日期待更正"})
    wang.refresh_from_db()
    assert (wang.status, wang.override_reason) == ("withheld", "課程完成日期待更正")
    assert AuditEntry.objects.get(action="decision_override", object_id=str(wang.pk)).after["status"] == "withheld"


def test_hr_grants_by_override_within_the_cap_and_not_above(world, client):
    client.force_login(world["hr"])
    url = f"{DESK}?plan=tainan-101"
    moderator = world["people"][3]
    form = client.get(url).context["grant_form"]
    assert [c for c, _label in form.fields["rule_code"].choices] == ["moderator"]
    above = client.post(
        url,
        {
            "action": "grant",
            "employee": moderator.pk,
            "rule_code": "moderator",
            "award": "merit",
            "count": 2,
            "reason": "論壇版主績效優良",
        },
    )
    assert errors(above) == ["超過本項獎勵的上限（記功 1 次）。"]
    assert not Decision.objects.filter(rule_code="moderator").exists()
    client.post(
        url,
        {
            "action": "grant",
            "employee": moderator.pk,
            "rule_code": "moderator",
            "award": "merit",
            "count": 1,
            "reason": "論壇版主績效優良",
        },
    )
    granted = Decision.objects.get(rule_code="moderator")
    assert (granted.employee, granted.award, granted.count, granted.status, granted.reason) == (
        moderator,
        "merit",
        1,
        "eligible",
        "人事單位核給：論壇版主績效優良",
    )


def test_one_order_for_three_people_with_a_roc_date(world, client):
    file_all(world, client)
    chosen = [decision_of(p).pk for p in world["people"][:3]]
    client.post(DESK, {"action": "approve", "decision": chosen})
    response = client.post(
        DESK,
        {"action": "issue", "decision": chosen, "order_number": " 南市人考字第1010001號 ", "order_date": "103/07/20"},
    )
    assert (
        response.url
        == "/incentives/decisions/?order=%E5%8D%97%E5%B8%82%E4%BA%BA%E8%80%83%E5%AD%97%E7%AC%AC1010001%E8%99%9F"
    )
    assert sorted(Decision.objects.values_list("employee__name", "status", "order_number", "order_date")) == [
        (name, "issued", "南市人考字第1010001號", dt.date(2014, 7, 20)) for name in ("林美玲", "王小明", "陳大文")
    ]
    assert AuditEntry.objects.filter(action="decision_issued").count() == 3
    page = client.get(response.url).content.decode()
    assert (
        "/incentives/orders/roster.pdf?order=%E5%8D%97%E5%B8%82" in page
        and "獎懲令 南市人考字第1010001號（103/07/20）" in page
    )


def test_an_order_with_one_decision_not_approved_changes_nothing_and_names_the_person(world, client):
    file_all(world, client)
    wang, lin, chen = (decision_of(p) for p in world["people"][:3])
    client.post(DESK, {"action": "approve", "decision": [wang.pk, lin.pk]})
    response = client.post(
        DESK,
        {
            "action": "issue",
            "decision": [wang.pk, lin.pk, chen.pk],
            "order_number": "南市人考字第1010002號",
            "order_date": "1030720",
        },
    )
    assert errors(response) == ["以下獎勵案不能發布獎懲令，全部未處理：陳大文（機關已提報）"]
    assert sorted(Decision.objects.values_list("status", "order_number")) == [
        ("approved", ""),
        ("approved", ""),
        ("requested", ""),
    ]
    assert not AuditEntry.objects.filter(action="decision_issued").exists()
    bad_date = client.post(
        DESK, {"action": "issue", "decision": [wang.pk], "order_number": "文號", "order_date": "103/02/30"}
    )
    assert errors(bad_date)[-1] == "獎懲令日期：日期不存在：「103/02/30」"


def test_issue_order_service_reads_roc_dates_and_refuses_a_blank_number(world, client):
    file_all(world, client)
    wang = decision_of(world["people"][0])
    services.approve(world["hr"], wang)
    with pytest.raises(ValidationError):
        services.issue_order(world["hr"], [wang], " ", "103/07/20")
    [issued] = services.issue_order(world["hr"], [wang], "府人考字第1", "2014-07-20")
    assert (issued.status, issued.order_date) == ("issued", dt.date(2014, 7, 20))


def test_coordinator_cannot_file_after_the_filing_deadline(world, client, settings):
    settings.PORTAL_TODAY = "2012-10-16"
    client.force_login(world["coordinator"])
    response = client.post(reverse("incentives:staff", args=["tainan-101"]), {"employee": [world["people"][1].pk]})
    assert errors(response) == ["林美玲的獎勵已逾申報期限（101年10月15日），機關不能再提報；逾期案件請洽人事單位受理。"]
    assert not Decision.objects.filter(status="requested").exists()


def test_hr_accepts_a_late_request_with_the_reason_kept_and_shown(world, client, settings):
    services.save_evaluation(world["hr"], world["plan"])
    settings.PORTAL_TODAY = "2012-10-16"
    client.force_login(world["hr"])
    lin = decision_of(world["people"][1])
    page = client.get(DESK, {"status": "eligible"}).content.decode()
    assert "已逾申報期限（101年10月15日）" in page
    no_reason = client.post(DESK, {"action": "late", "decision": [lin.pk], "reason": ""})
    assert errors(no_reason) == ["請填寫受理逾期提報的理由。"]
    client.post(DESK, {"action": "late", "decision": [lin.pk], "reason": "公出未及於期限內提報，經機關首長核可"})
    lin.refresh_from_db()
    assert (lin.status, lin.late_reason, lin.requested_by) == (
        "requested",
        "公出未及於期限內提報，經機關首長核可",
        world["hr"],
    )
    assert "逾期受理：公出未及於期限內提報，經機關首長核可" in client.get(DESK).content.decode()
    with pytest.raises(ValidationError) as refused:  # HR through the plain request step still needs the reason
        services.request(world["hr"], [decision_of(world["people"][2])])
    assert "已逾申報期限（101年10月15日）" in refused.value.messages[0]


def test_hr_of_another_government_sees_nothing_of_this_one(world, client):
    file_all(world, client)
    wang = decision_of(world["people"][0])
    client.force_login(world["kaohsiung_hr"])
    page = client.get(DESK)
    assert list(page.context["rows"]) == [] and "王小明" not in page.content.decode()
    assert [p.slug for p in page.context["plans"]] == []
    assert client.post(DESK, {"action": "approve", "decision": [wang.pk]}).status_code == 404
    assert Decision.objects.get(pk=wang.pk).status == "requested"
    services.approve(world["hr"], wang)
    services.issue_order(world["hr"], [wang], "南市人考字第9號", "103/07/20")
    assert client.get(reverse("incentives:order-roster"), {"order": "南市人考字第9號"}).status_code == 404
    client.force_login(world["tainan_hr"])
    assert [d.employee.name for d in client.get(DESK).context["rows"]] == ["林美玲", "王小明", "陳大文"]


def test_coordinator_and_employee_are_refused_the_desk(world, client):
    client.force_login(world["coordinator"])
    assert client.get(DESK).status_code == 403
    assert client.post(DESK, {"action": "approve"}).status_code == 403
    assert client.get(reverse("incentives:order-roster"), {"order": "x"}).status_code == 403
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=world["people"][0]))
    assert client.get(DESK).status_code == 403


def test_order_roster_pdf_lists_the_orders_people_numbered_with_signature_boxes(world, client, tmp_path):
    file_all(world, client)
    chosen = [decision_of(p) for p in world["people"][:2]]
    for decision in chosen:
        services.approve(world["hr"], decision)
    services.issue_order(world["hr"], chosen, "南市人考字第1010003號", "103/07/20")
    response = client.get(reverse("incentives:order-roster"), {"order": "南市人考字第1010003號"})
    assert (response.status_code, response["Content-Type"], response.content[:4]) == (200, "application/pdf", b"%PDF")
    path = tmp_path / "roster.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in [
        "獎懲令敘獎名冊",
        "南市人考字第1010003號",
        "103年7月20日",
        "編號",
        "王小明",
        "林美玲",
        "嘉獎2次",
        "承辦人",
        "單位主管",
        "人事主管",
        "機關首長",
    ]:
        assert expected in text, expected
    assert "陳大文" not in text


def test_employee_sees_the_issued_decision_with_its_order_number(world, client):
    file_all(world, client)
    wang = decision_of(world["people"][0])
    services.approve(world["hr"], wang)
    services.issue_order(world["hr"], [wang], "南市人考字第1010004號", "103/07/20")
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=world["people"][0]))
    body = client.get(reverse("incentives:me"), {"year": "2012"}).content.decode()
    assert "已發布獎懲令" in body and "南市人考字第1010004號（103/07/20）" in body


def test_admin_keeps_the_workflow_read_only_and_approves_through_the_service(world, client):
    file_all(world, client)
    admin_user = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    wang = decision_of(world["people"][0])
    from incentives.admin import DecisionAdmin

    assert {"status", "order_number", "order_date", "return_reason", "late_reason"} <= set(
        DecisionAdmin.readonly_fields
    )
    client.post(reverse("admin:incentives_decision_changelist"), {"action": "approve", "_selected_action": [wang.pk]})
    wang.refresh_from_db()
    assert (wang.status, wang.decided_by) == ("approved", admin_user)
    assert AuditEntry.objects.filter(action="decision_approved", actor=admin_user).count() == 1


def test_the_desk_reevaluates_a_plan(world, client):
    client.force_login(world["hr"])
    client.post(f"{DESK}?plan=tainan-101", {"action": "evaluate"})
    assert sorted(Decision.objects.values_list("employee__name", "status")) == [
        ("林美玲", "eligible"),
        ("王小明", "eligible"),
        ("陳大文", "eligible"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_and_issuing_the_same_decision_at_once_only_one_succeeds(settings):
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    world = setup_world(settings)
    services.save_evaluation(world["hr"], world["plan"])
    wang = decision_of(world["people"][0])
    services.request(world["coordinator"], [wang])
    officers = [world["hr"], UserFactory(role=Role.HR, is_staff=True)]

    def race(step):
        barrier, outcomes = threading.Barrier(2), []

        def run(officer):
            try:
                barrier.wait(timeout=10)
                step(officer, Decision.objects.get(pk=wang.pk))
                outcomes.append("ok")
            except ValidationError as error:
                outcomes.append(error.messages[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(officer,)) for officer in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return sorted(outcomes)

    assert race(lambda officer, d: services.approve_all(officer, [d])) == [
        "ok",
        "以下獎勵案不能核定，全部未處理：王小明（人事單位核定）",
    ]
    assert race(lambda officer, d: services.issue_order(officer, [d], f"文號-{officer.pk}", "103/07/20")) == [
        "ok",
        "以下獎勵案不能發布獎懲令，全部未處理：王小明（已發布獎懲令）",
    ]
    assert (
        AuditEntry.objects.filter(object_id=str(wang.pk), action__in=["decision_approved", "decision_issued"]).count()
        == 2
    )
    assert Decision.objects.get(pk=wang.pk).status == "issued"


def test_a_scoped_officer_cannot_approve_another_governments_decision_through_the_service(world, client):
    file_all(world, client)
    wang = decision_of(world["people"][0])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.approve(world["kaohsiung_hr"], wang)
    assert services.approve(world["tainan_hr"], wang).status == "approved"


def test_after_the_deadline_a_coordinator_still_files_the_rules_that_have_none(world, client, settings):
    plan = world["plan"]
    english = {
        "code": "english",
        "kind": "certificates",
        "clause": "柒、三、（二）",
        "groups": [{"all_of": ["英語初級", "英語中級"], "award": "commendation", "count": 1}],
    }
    plan.parameters = {"rules": [RULE, MODERATOR, english]}
    plan.save()
    from programs.models import Certificate

    lin = world["people"][1]
    for name in ("英語初級", "英語中級"):
        Certificate.objects.create(plan=plan, employee=lin, name=name, obtained_on=dt.date(2012, 5, 1))
    settings.PORTAL_TODAY = "2012-10-16"
    client.force_login(world["coordinator"])
    response = client.post(reverse("incentives:staff", args=["tainan-101"]), {"employee": [lin.pk]})
    assert sorted(Decision.objects.filter(employee=lin).values_list("rule_code", "status")) == [
        ("english", "requested"),
        ("forum-posts", "eligible"),
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "已提報 1 件獎勵案。",
        "林美玲的獎勵已逾申報期限（101年10月15日），未提報；逾期案件請洽人事單位受理。",
    ]
