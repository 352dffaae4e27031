"""The audit trail: every change to a plan, a rule parameter, a decision, a leave entry, a
nomination and every import writes who, when, what and the values before and after
(decisions: test_decisions.py; admin edits of a plan: test_decisions.py too)."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from courses.models import Course, Platform
from leave import services as leave
from leave.models import Entry, RecordUse
from portal.models import AuditEntry, Employee, ImportBatch, Role
from portal.services import submit_import
from programs import services as programs
from programs.loader import load_plan, load_plans, plan_files
from programs.models import Nomination, Plan, Session
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    EntryFactory,
    LearningRecordFactory,
    PlanFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)

ROSTER = "身分證字號,姓名,機關名稱,單位名稱,職稱,人員類別\n"


def entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


# -- imports -----------------------------------------------------------------------------


def test_an_import_from_the_command_line_records_the_rows_it_changed_before_and_after(db, tmp_path):
    first = tmp_path / "roster.csv"
    first.write_text(
        ROSTER + "A123456789,王小明,甲機關,人事室,科員,編制內\nF234567898,林小華,甲機關,人事室,科長,編制內\n"
    )
    call_command("import_roster", str(first), stdout=io.StringIO())
    second = tmp_path / "roster-2.csv"
    second.write_text(
        ROSTER + "A123456789,王小明,甲機關,人事室,專員,編制內\nF234567898,林小華,甲機關,人事室,科長,編制內\n"
    )
    call_command("import_roster", str(second), stdout=io.StringIO())

    submitted = entries(action="import_submitted")
    assert [(e.actor, e.after["file_name"], e.after["dry_run"]) for e in submitted] == [
        (None, "roster.csv", False),
        (None, "roster-2.csv", False),
    ]
    assert "命令列 匯入 roster，系統帳號" in submitted[0].summary
    applied = entries(action="import_applied")
    assert [(e.object_id, e.summary) for e in applied] == [
        (str(b.pk), f"roster {b.file_name}") for b in ImportBatch.objects.order_by("id")
    ]
    assert {k: applied[0].after[k] for k in ("status", "created", "updated", "unchanged")} == {
        "status": "applied",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert (applied[1].before, applied[1].after) == (
        {"status": "running", "changed_rows": [{"key": {"national_id": "A123456789"}, "values": {"title": "科員"}}]},
        {
            "status": "applied",
            "total_rows": 2,
            "created": 0,
            "updated": 1,
            "unchanged": 1,
            "changed_rows": [{"key": {"national_id": "A123456789"}, "values": {"title": "專員"}}],
        },
    )
    assert Employee.objects.get(national_id="A123456789").title == "專員"


def test_hr_sees_an_import_batch_and_a_leave_application_history_in_the_admin(leave_world, client):
    w = leave_world
    batch = submit_import(
        "roster", "r.csv", (ROSTER + "A123456789,王小明,甲機關,人事室,科員,編制內\n").encode(), user=w["hr"]
    )
    application = leave.apply(
        w["user"], w["plan"], dt.date(2012, 9, 20), dt.time(8, 30), dt.time(9, 30), today=dt.date(2012, 9, 1)
    )
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_importbatch_change", args=[batch.pk])).content.decode()
    assert "稽核紀錄" in page and "匯入已送出" in page and "匯入完成" in page
    page = client.get(reverse("admin:leave_application_change", args=[application.pk])).content.decode()
    assert "申請補休" in page and "使用之核給（編號：時數）" in page


def test_an_upload_records_who_and_a_rejected_file_its_errors(db):
    hr = UserFactory(role=Role.HR, is_staff=True)
    data = (ROSTER + "A123456789,王小明,甲機關,,,亂填\n").encode()
    batch = submit_import("roster", "bad.csv", data, user=hr)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert [(e.actor, e.action, e.before, e.after) for e in entries(object_id=str(batch.pk))] == [
        (
            hr,
            "import_submitted",
            None,
            {"kind": "roster", "file_name": "bad.csv", "bytes": len(data), "dry_run": False, "options": {}},
        ),
        (
            hr,
            "import_rejected",
            {"status": "running"},
            {"status": "rejected", "total_rows": 1, "created": 0, "updated": 0, "unchanged": 0, "errors": 1},
        ),
    ]


def test_a_course_list_import_records_the_courses_it_removed(db):
    from courses.models import CourseList

    plan = PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101)
    course_list = CourseList.objects.create(plan=plan, slug="policy-courses", name="政策課程")
    options = {"plan": "tainan-101", "list": "policy-courses"}
    submit_import("course-list", "a.csv", "課程名稱,認證時數\n公務倫理,2\n性別主流化,1\n".encode(), options=options)
    submit_import("course-list", "b.csv", "課程名稱,認證時數\n公務倫理,3\n".encode(), options=options)
    ethics, gender = (Course.objects.get(name=n).pk for n in ("公務倫理", "性別主流化"))
    last = entries(action="import_applied")[-1]
    key = {"course_list_id": course_list.pk}
    assert (last.before["changed_rows"], last.after["changed_rows"]) == (
        [
            {"key": {**key, "course_id": ethics}, "values": {"hours": "2.00"}},
            {"key": {**key, "course_id": gender}, "values": {"hours": "1.00"}},
        ],
        [
            {"key": {**key, "course_id": ethics}, "values": {"hours": "3.00"}},
            {"key": {**key, "course_id": gender}, "values": None},
        ],
    )


def test_an_admin_import_records_the_importing_user_and_each_row_before_and_after(db, client):
    hr = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    client.force_login(hr)
    platform = Platform.objects.create(name="e等公務園+")
    course = CourseFactory(name="公務倫理", platform=platform, hours=2, category="")
    csv = "課程名稱,平臺,認證時數,課程類別,核心職能,數位課程,與業務相關\n公務倫理,e等公務園+,3,倫理,,1,0\n資訊安全,e等公務園+,1,,,1,0\n"
    preview = client.post(
        reverse("admin:courses_course_import"), {"format": 0, "resource": 0, "import_file": _upload("courses.csv", csv)}
    )
    assert preview.status_code == 200 and AuditEntry.objects.count() == 0  # the preview is a dry run
    assert "confirm_form" in preview.context
    confirm = preview.context["confirm_form"]
    done = client.post(reverse("admin:courses_course_process_import"), {**confirm.initial, "resource": 0})
    assert done.status_code == 302, done.content.decode()[:500]
    new = Course.objects.get(name="資訊安全")
    assert [(e.actor, e.action, e.object_id, e.before, e.after) for e in entries(object_type="courses.course")] == [
        (
            hr,
            "admin_import_change",
            str(course.pk),
            {"hours": "2.00", "category": ""},
            {"hours": "3", "category": "倫理"},
        ),
        (
            hr,
            "admin_import_add",
            str(new.pk),
            None,
            {
                "id": new.pk,
                "name": "資訊安全",
                "platform": platform.pk,
                "hours": "1",
                "category": "",
                "competency": "",
                "is_digital": True,
                "job_related": False,
            },
        ),
    ]


def _upload(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# -- plans and rule parameters --------------------------------------------------------------


def test_load_plans_records_new_plans_and_changed_rule_parameters_only(db):
    load_plans()
    assert sorted(e.object_id for e in entries(action="plan_load")) == sorted(str(p.pk) for p in Plan.objects.all())
    load_plans()
    assert len(entries(action="plan_load")) == 5  # a second load changes nothing
    data = yaml.safe_load(next(p for p in plan_files() if p.stem == "tainan-101").read_text(encoding="utf-8"))
    old_rules = Plan.objects.get(slug="tainan-101").parameters["rules"]
    data["rules"][0]["max"]["count"] = 2  # the moderator's cap: one merit becomes two
    plan = load_plan(data)
    last = entries(action="plan_load")[-1]
    assert (last.object_id, last.actor, list(last.before), list(last.after)) == (
        str(plan.pk),
        None,
        ["parameters"],
        ["parameters"],
    )
    assert last.before["parameters"]["rules"] == old_rules
    assert last.after["parameters"]["rules"] == plan.parameters["rules"] != old_rules
    assert (old_rules[0]["max"], last.after["parameters"]["rules"][0]["max"]) == (
        {"award": "merit", "count": 1},
        {"award": "merit", "count": 2},
    )


def test_an_inline_edit_in_the_admin_records_the_row_before_and_after(db, client):
    hr = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    client.force_login(hr)
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="地方行政研習中心"), roc_year=104)
    activity = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    training_class = TrainingClassFactory(activity=activity, slug="basic", name="基礎班")
    session = SessionFactory(training_class=training_class, number=1, capacity=30)
    url = reverse("admin:programs_trainingclass_change", args=[training_class.pk])
    data = _form_data(client.get(url))
    data["sessions-0-capacity"] = "25"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:800]
    assert [(e.actor, e.action, e.before, e.after) for e in entries(object_type="programs.session")] == [
        (hr, "admin_change", {"capacity": 30}, {"capacity": 25})
    ]
    assert Session.objects.get(pk=session.pk).capacity == 25


def _form_data(page) -> dict:
    """What the browser would post back from an admin change page, inlines included."""
    data = {}
    for form in [page.context["adminform"].form] + [
        f for fs in page.context["inline_admin_formsets"] for f in [fs.formset.management_form, *fs.formset.forms]
    ]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or name == "DELETE":
                continue
            if isinstance(value, (list, dict)) and hasattr(field, "prepare_value"):
                value = field.prepare_value(value)
            data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    return data


# -- leave ---------------------------------------------------------------------------------


@pytest.fixture
def leave_world(db):
    government = AgencyFactory(name="臺南市政府")
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        off_duty_definition="whole_days",
        parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list", "use_within_months": 6}]},
    )
    unit = UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government))
    employee = EmployeeFactory(unit=unit)
    supervisor = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(unit=unit))
    supervisor.headed_units.set([unit])
    record = LearningRecordFactory(
        employee=employee, course_name="課", course_key="課", hours=4, completed_on=dt.date(2012, 4, 1)
    )
    grant = EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=4,
        earned_on=dt.date(2012, 4, 1),
        usable_until=dt.date(2012, 10, 1),
    )
    RecordUse.objects.create(record=record, grant=grant)
    return {
        "plan": plan,
        "grant": grant,
        "user": UserFactory(role=Role.EMPLOYEE, employee=employee),
        "supervisor": supervisor,
        "hr": UserFactory(role=Role.HR, is_staff=True),
    }


def test_leave_applications_record_each_step_before_and_after(leave_world):
    w = leave_world
    application = leave.apply(
        w["user"], w["plan"], dt.date(2012, 9, 20), dt.time(8, 30), dt.time(11, 30), today=dt.date(2012, 9, 1)
    )
    leave.decide(w["supervisor"], application, approve=False, note="請改期")
    trail = [(e.actor, e.action, e.before, e.after) for e in entries(object_type="leave.application")]
    assert trail == [
        (
            w["user"],
            "leave_apply",
            None,
            {
                "status": "submitted",
                "leave_date": "2012-09-20",
                "starts_at": "08:30:00",
                "ends_at": "11:30:00",
                "hours": "3",
                "charged_to_grants": {str(w["grant"].pk): "3"},
            },
        ),
        (
            w["supervisor"],
            "leave_returned",
            {"status": "submitted"},
            {"status": "returned", "note": "請改期", "hours_given_back": "3.00"},
        ),
    ]


def test_a_cancelled_application_and_a_lapse_are_recorded(leave_world):
    w = leave_world
    application = leave.apply(
        w["user"], w["plan"], dt.date(2012, 9, 20), dt.time(8, 30), dt.time(9, 30), today=dt.date(2012, 9, 1)
    )
    leave.cancel(w["user"], application, today=dt.date(2012, 9, 2))
    assert [(e.action, e.before, e.after) for e in entries(action="leave_cancelled")] == [
        ("leave_cancelled", {"status": "submitted"}, {"status": "cancelled", "hours_given_back": "1.00"})
    ]
    assert leave.lapse_leave(dt.date(2012, 10, 2)) == 1
    lapse = Entry.objects.get(kind="lapse")
    assert [(e.actor, e.object_id, e.summary, e.before, e.after) for e in entries(action="leave_lapse")] == [
        (
            None,
            str(lapse.pk),
            "逾 101年10月1日 未使用，失效",
            {"grant": w["grant"].pk, "hours_left": "4.00"},
            {"grant": w["grant"].pk, "hours_left": "0"},
        )
    ]
    assert lapse.hours == D(-4)


# -- nominations ---------------------------------------------------------------------------


def test_nominations_record_status_before_and_after(db):
    government = AgencyFactory(name="示範縣政府")
    agency = AgencyFactory(name="示範縣政府人事處", parent=government)
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="地方行政研習中心"), roc_year=104)
    activity = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    session = SessionFactory(
        training_class=TrainingClassFactory(activity=activity, slug="basic", name="基礎班"),
        number=1,
        capacity=1,
    )
    staff = [EmployeeFactory(unit=UnitFactory(agency=agency), name=f"人員{i}") for i in range(2)]
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[agency])
    hr = UserFactory(role=Role.HR, is_staff=True)
    programs.nominate(coordinator, session, [p.pk for p in staff])
    programs.confirm_places(hr, session)
    first, second = Nomination.objects.order_by("id")
    assert [
        (e.actor, e.action, e.object_id, e.before, e.after) for e in entries(object_type="programs.nomination")
    ] == [
        (
            coordinator,
            "nominate",
            str(first.pk),
            None,
            {
                "status": "nominated",
                "session": session.pk,
                "employee": staff[0].pk,
                "priority": first.priority,
                "priority_label": first.priority_label,
            },
        ),
        (
            coordinator,
            "nominate",
            str(second.pk),
            None,
            {
                "status": "nominated",
                "session": session.pk,
                "employee": staff[1].pk,
                "priority": second.priority,
                "priority_label": second.priority_label,
            },
        ),
        (hr, "confirmed", str(first.pk), {"status": "nominated"}, {"status": "confirmed", "reason": ""}),
        (
            hr,
            "refused",
            str(second.pk),
            {"status": "nominated"},
            {"status": "refused", "reason": "本期名額 1 名已滿（依優先順序錄取）"},
        ),
    ]
