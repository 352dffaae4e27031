import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse

from courses.models import LearningRecord
from leave import services
from leave.models import Application, Entry, RecordUse
from portal.models import Role
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    EntryFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)

LEAVE = {
    "code": "leave",
    "kind": "leave_offduty_list",
    "window": {"start": "2012-01-01", "end": "2012-09-30"},
    "min_digital_hours": 5,
    "min_total_hours": 40,
    "cap_hours": 8,
    "use_within_months": 6,
    "final_cutoff": "2012-12-28",
    "advance_notice_days": 14,
    "list": "policy-courses",
}


@pytest.fixture
def world(db):
    government = AgencyFactory(name="臺南市政府")
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        parameters={"rules": [LEAVE]},
        off_duty_definition="whole_days",
    )
    unit = UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government))
    employee = EmployeeFactory(unit=unit)
    supervisor = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(unit=unit))
    supervisor.headed_units.set([unit])
    return {
        "plan": plan,
        "employee": employee,
        "user": UserFactory(role=Role.EMPLOYEE, employee=employee),
        "supervisor": supervisor,
        "hr": UserFactory(role=Role.HR, is_staff=True),
    }


def grant(world, hours, earned, until):
    record = LearningRecordFactory(
        employee=world["employee"],
        course_name=f"課{earned}{hours}",
        course_key=f"k{earned}{hours}",
        hours=hours,
        completed_on=earned,
    )
    entry = EntryFactory(
        employee=world["employee"], plan=world["plan"], kind="grant", hours=hours, earned_on=earned, usable_until=until
    )
    RecordUse.objects.create(record=record, grant=entry)
    return entry


def apply(world, day, start="09:00", end="12:00", today=dt.date(2012, 9, 1)):
    return services.apply(
        world["user"], world["plan"], day, dt.time.fromisoformat(start), dt.time.fromisoformat(end), today=today
    )


def test_hours_are_used_earliest_lapsing_first(world):
    late = grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    early = grant(world, D(2), dt.date(2012, 4, 1), dt.date(2012, 10, 1))
    application = apply(world, dt.date(2012, 9, 20), "08:30", "11:30")
    uses = list(application.entries.order_by("id").values_list("grant_id", "hours"))
    assert uses == [(early.pk, D("-2.0")), (late.pk, D("-1.0"))]
    assert services.balance(world["employee"], dt.date(2012, 9, 21)) == D(3)


def test_balance_on_a_future_date_leaves_out_what_will_have_lapsed(world):
    grant(world, D(2), dt.date(2012, 4, 1), dt.date(2012, 10, 1))
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    assert services.balance(world["employee"], dt.date(2012, 10, 1)) == D(6)
    assert services.balance(world["employee"], dt.date(2012, 10, 2)) == D(4)
    assert services.balance(world["employee"], dt.date(2012, 12, 29)) == D(0)


def test_application_beyond_the_balance_on_that_date_is_refused(world):
    grant(world, D(2), dt.date(2012, 4, 1), dt.date(2012, 10, 1))
    with pytest.raises(ValidationError) as error:
        apply(world, dt.date(2012, 10, 2), "09:00", "10:00")
    assert error.value.messages == ["101年10月2日 可用補休 0 小時，不足 1 小時。"]
    assert Application.objects.count() == 0


def test_advance_notice_of_two_weeks(world):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    with pytest.raises(ValidationError) as error:
        apply(world, dt.date(2012, 9, 17), today=dt.date(2012, 9, 4))
    assert error.value.messages == ["補休須於 14 日前提出申請（最早可申請 101年9月18日 之補休）。"]
    assert apply(world, dt.date(2012, 9, 18), today=dt.date(2012, 9, 4)).hours == D(3)


def test_final_cut_off(world):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2013, 1, 31))
    with pytest.raises(ValidationError) as error:
        apply(world, dt.date(2012, 12, 31), today=dt.date(2012, 12, 1))
    assert error.value.messages == ["補休須於 101年12月28日 前使用完畢。"]


def test_lunch_break_is_not_leave():
    assert services.leave_hours(dt.time(8, 30), dt.time(17, 30)) == D(8)
    assert services.leave_hours(dt.time(13, 30), dt.time(15, 0)) == D("1.5")


def test_cancel_before_the_day_gives_the_hours_back_by_reversal(world):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    application = apply(world, dt.date(2012, 9, 20))
    assert services.balance(world["employee"], dt.date(2012, 9, 20)) == D(1)
    services.cancel(world["user"], application, today=dt.date(2012, 9, 10))
    assert services.balance(world["employee"], dt.date(2012, 9, 20)) == D(4)
    assert list(Entry.objects.order_by("id").values_list("kind", "hours")) == [
        ("grant", D("4.0")),
        ("use", D("-3.0")),
        ("reversal", D("3.0")),
    ]
    with pytest.raises(ValidationError):
        services.cancel(world["user"], application, today=dt.date(2012, 9, 10))


def test_cancel_on_the_day_is_refused(world):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    application = apply(world, dt.date(2012, 9, 20))
    with pytest.raises(ValidationError):
        services.cancel(world["user"], application, today=dt.date(2012, 9, 20))


def test_supervisor_approves_and_hr_registers(world):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    application = apply(world, dt.date(2012, 9, 20))
    with pytest.raises(PermissionDenied):
        services.decide(world["user"], application, approve=True)
    services.decide(world["supervisor"], application, approve=True)
    services.register(world["hr"], application)
    assert Application.objects.get().status == "registered"


def test_returned_application_gives_the_hours_back(world):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    application = apply(world, dt.date(2012, 9, 20))
    services.decide(world["supervisor"], application, approve=False, note="業務繁忙")
    assert services.balance(world["employee"], dt.date(2012, 9, 20)) == D(4)


def refusal(world, day, start="09:00", end="12:00", today=dt.date(2012, 9, 1)) -> list[str]:
    with pytest.raises(ValidationError) as error:
        apply(world, day, start, end, today=today)
    return error.value.messages


@pytest.mark.parametrize(
    "day, start, end, message",
    [
        (dt.date(2012, 9, 22), "09:00", "12:00", "101年9月22日 是放假日，不必請補休。"),  # a Saturday
        (dt.date(2012, 9, 20), "18:00", "19:00", "補休時間須在辦公時間內（08:30–17:30）。"),
        (dt.date(2012, 9, 20), "07:30", "09:30", "補休時間須在辦公時間內（08:30–17:30）。"),
        (dt.date(2012, 9, 20), "12:30", "13:30", "補休以小時為單位（可為半小時）。"),  # lunch only
    ],
    ids=["day off", "evening", "before office hours", "lunch break"],
)
def test_leave_is_taken_from_a_working_days_office_hours(world, day, start, end, message):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    assert refusal(world, day, start, end, today=dt.date(2012, 9, 1)) == [message]
    assert Entry.objects.filter(kind="use").count() == 0


def test_an_agencys_own_office_hours_bound_the_leave(world):
    agency = world["employee"].agency
    agency.office_morning_start, agency.office_afternoon_end = dt.time(8, 0), dt.time(17, 0)
    agency.save()
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    assert apply(world, dt.date(2012, 9, 20), "08:00", "09:00").hours == D(1)
    assert refusal(world, dt.date(2012, 9, 21), "16:30", "17:30") == ["補休時間須在辦公時間內（08:00–17:00）。"]


def test_a_shift_worker_may_take_leave_on_any_day_and_hour(world):
    world["employee"].works_shifts = True
    world["employee"].save()
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    assert apply(world, dt.date(2012, 9, 22), "18:00", "20:00").hours == D(2)


def test_a_day_already_past_is_refused(world):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    assert refusal(world, dt.date(2012, 9, 20), today=dt.date(2012, 9, 21)) == [
        "不能申請已過日期（101年9月20日）的補休。"
    ]


def test_hours_already_applied_for_cannot_be_applied_for_again(world):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    first = apply(world, dt.date(2012, 9, 20), "08:30", "12:30")
    assert refusal(world, dt.date(2012, 9, 20), "09:00", "10:00") == ["與已申請的補休（08:30–12:30）時間重疊。"]
    assert apply(world, dt.date(2012, 9, 20), "13:30", "14:30").hours == D(1)  # the afternoon is free
    services.cancel(world["user"], first, today=dt.date(2012, 9, 10))
    assert apply(world, dt.date(2012, 9, 20), "09:00", "10:00").hours == D(1)  # cancelled hours are free again


def test_hours_are_usable_from_the_day_after_the_course_was_completed(world):
    # Completed on Monday 101/09/24: not usable before, nor on the day itself (DOMAIN.md Decision).
    grant(world, D(8), dt.date(2012, 9, 24), dt.date(2012, 12, 28))
    assert refusal(world, dt.date(2012, 9, 21), "09:00", "10:00") == ["101年9月21日 可用補休 0 小時，不足 1 小時。"]
    assert refusal(world, dt.date(2012, 9, 24), "09:00", "10:00") == ["101年9月24日 可用補休 0 小時，不足 1 小時。"]
    assert services.balance(world["employee"], dt.date(2012, 9, 24)) == D(0)
    assert services.balance(world["employee"], dt.date(2012, 9, 25)) == D(8)
    assert apply(world, dt.date(2012, 9, 25), "09:00", "10:00").hours == D(1)


def test_returning_needs_a_reason(world):
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    application = apply(world, dt.date(2012, 9, 20))
    with pytest.raises(ValidationError) as error:
        services.decide(world["supervisor"], application, approve=False, note="  ")
    assert error.value.messages == ["退回時請填寫理由。"]
    assert Application.objects.get().status == "submitted"


def test_a_unit_head_cannot_sign_their_own_leave_and_hr_signs_it(world):
    head = world["supervisor"]
    EntryFactory(
        employee=head.employee,
        plan=world["plan"],
        kind="grant",
        hours=D(4),
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    own = services.apply(head, world["plan"], dt.date(2012, 9, 20), dt.time(9), dt.time(10), today=dt.date(2012, 9, 1))
    assert services.heads_own(own)
    with pytest.raises(PermissionDenied):
        services.decide(head, own, approve=True)
    services.decide(world["hr"], own, approve=True)
    assert Application.objects.get(pk=own.pk).status == "approved"
    # HR does not stand in for a head who can sign.
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    theirs = apply(world, dt.date(2012, 9, 20))
    with pytest.raises(PermissionDenied):
        services.decide(world["hr"], theirs, approve=True)


def test_lapse_is_written_on_the_day_after_the_last_usable_day(world):
    grant(world, D(2), dt.date(2012, 4, 1), dt.date(2012, 10, 1))
    used = grant(world, D(4), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    apply(world, dt.date(2012, 9, 20), "09:00", "10:00")
    assert services.lapse_leave(dt.date(2012, 10, 1)) == 0
    assert services.lapse_leave(dt.date(2012, 10, 2)) == 1
    assert services.lapse_leave(dt.date(2012, 10, 2)) == 0  # a second run writes nothing
    assert list(Entry.objects.filter(kind="lapse").values_list("hours", flat=True)) == [D("-1.0")]
    assert services.lapse_leave(dt.date(2012, 12, 29)) == 1
    assert services.balance(world["employee"], dt.date(2012, 12, 29)) == D(0)
    assert sum(Entry.objects.filter(grant=used).values_list("hours", flat=True)) == D("-4.0")


def test_a_record_never_backs_two_grants(world):
    first = grant(world, D(2), dt.date(2012, 4, 1), dt.date(2012, 10, 1))
    record = first.records.get()
    second = EntryFactory(
        employee=world["employee"],
        plan=world["plan"],
        kind="grant",
        hours=2,
        earned_on=dt.date(2012, 4, 1),
        usable_until=dt.date(2012, 10, 1),
    )
    with pytest.raises(IntegrityError):
        RecordUse.objects.create(record=record, grant=second)


def test_grants_from_the_evaluation_are_written_once_and_mark_the_records(world):
    employee = world["employee"]
    from courses.models import CourseList, CourseListEntry

    policy = CourseList.objects.create(plan=world["plan"], slug="policy-courses", name="政策性課程")
    course = CourseFactory(name="國土計畫概論", hours=3)
    CourseListEntry.objects.create(course_list=policy, course=course, hours=3)
    LearningRecordFactory(
        employee=employee,
        course_name="數位大補帖",
        course_key="數位大補帖",
        hours=40,
        digital_hours=10,
        completed_on=dt.date(2012, 3, 1),
    )
    LearningRecordFactory(
        employee=employee,
        course_name="國土計畫概論",
        course_key=course.name_key,
        hours=3,
        digital_hours=3,
        completed_on=dt.date(2012, 3, 4),
    )  # a Sunday
    assert len(services.grant_leave(world["plan"], dt.date(2012, 9, 30), user=world["hr"]).granted) == 1
    assert len(services.grant_leave(world["plan"], dt.date(2012, 9, 30), user=world["hr"]).granted) == 0
    entry = Entry.objects.get(kind="grant")
    assert (entry.hours, entry.usable_until) == (D("3.0"), dt.date(2012, 9, 4))
    assert list(LearningRecord.objects.filter(used_for_leave=True).values_list("course_name", flat=True)) == [
        "國土計畫概論"
    ]


def test_the_approvals_page_leaves_out_the_heads_own_and_says_what_was_done(world, client):
    grant(world, D(8), dt.date(2012, 8, 1), dt.date(2012, 12, 28))
    EntryFactory(
        employee=world["supervisor"].employee,
        plan=world["plan"],
        kind="grant",
        hours=D(4),
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    own = services.apply(
        world["supervisor"], world["plan"], dt.date(2012, 9, 20), dt.time(9), dt.time(10), today=dt.date(2012, 9, 1)
    )
    theirs = apply(world, dt.date(2012, 9, 20))
    client.force_login(world["supervisor"])
    page = client.get(reverse("leave:approvals"))
    assert list(page.context["pending"]) == [theirs]
    assert client.post(reverse("leave:approvals"), {"application": own.pk, "decision": "approve"}).status_code == 404
    returned = client.post(
        reverse("leave:approvals"), {"application": theirs.pk, "decision": "return", "note": ""}, follow=True
    )
    assert [str(m) for m in returned.context["messages"]] == ["退回時請填寫理由。"]
    approved = client.post(reverse("leave:approvals"), {"application": theirs.pk, "decision": "approve"}, follow=True)
    assert [str(m) for m in approved.context["messages"]] == [f"已核章：{world['employee'].name}"]
    assert [a.status for a in Application.objects.order_by("pk")] == ["submitted", "approved"]
