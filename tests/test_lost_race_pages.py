"""A transition that lost a race is refused on the page with what happened meanwhile, never a 500
(issue #15); a deadlock that outlived the retries is a message too."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from leave import services
from leave.models import APPLICATION_MACHINE, Application, Entry
from portal.middleware import ConflictMiddleware
from portal.models import Role
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    EmployeeFactory,
    EntryFactory,
    PlanFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def leave_world(settings):
    settings.PORTAL_TODAY = "2012-09-01"
    plan = PlanFactory(
        slug="tainan-101",
        issuer=AgencyFactory(name="臺南市政府"),
        roc_year=101,
        parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list"}]},
    )
    unit = UnitFactory()
    employee = EmployeeFactory(unit=unit, name="王小明", national_id="A123456789")
    user = UserFactory(role=Role.EMPLOYEE, employee=employee, username="A123456789")
    head = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(unit=unit, name="林主管"))
    head.headed_units.set([unit])
    EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=8,
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    application = services.apply(user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(12, 30))
    return {"plan": plan, "employee": employee, "user": user, "head": head, "application": application}


def errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_the_head_approving_an_application_cancelled_meanwhile_reads_who_cancelled_it_and_when(leave_world, client):
    services.cancel(leave_world["user"], leave_world["application"])
    client.force_login(leave_world["head"])
    response = client.post(
        reverse("leave:approvals"), {"application": leave_world["application"].pk, "decision": "approve"}
    )
    assert response.status_code == 302
    (message,) = errors(response)
    assert re.fullmatch(r"此補休申請已於 \d+/\d\d/\d\d \d\d:\d\d 由 王小明 取消，無法核章。", message), message
    assert "A123456789" not in message
    assert Application.objects.get().status == "cancelled"


def test_cancelling_twice_says_when_it_was_cancelled_and_gives_nothing_back_twice(leave_world, client):
    client.force_login(leave_world["user"])
    url = reverse("leave:cancel", args=[leave_world["application"].pk])
    client.post(url)
    response = client.post(url)
    assert re.fullmatch(r"此補休申請已於 \d+/\d\d/\d\d \d\d:\d\d 由 王小明 取消，無法取消。", errors(response)[0])
    assert Entry.objects.filter(kind="reversal").count() == 1


def test_the_refusal_names_the_person_from_the_row_fields_and_masks_an_id_shaped_user_name(leave_world):
    head = leave_world["head"]
    head.employee = None
    head.username = "B120000008"
    head.save()
    services.decide(head, leave_world["application"], approve=True)
    row = Application.objects.get()
    message = APPLICATION_MACHINE.refusal(row, "approve")
    assert re.fullmatch(r"此補休申請已於 101/09/01 \d\d:\d\d 由 B12\*\*\*\*008 核章，無法核章。", message), message


def test_a_state_no_transition_leads_to_is_named_as_it_is(leave_world):
    message = APPLICATION_MACHINE.refusal(Application.objects.get(), "register")
    assert message == "此補休申請目前為「已申請」，無法登記。"


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_deadlock_after_the_retries_is_a_message_and_a_redirect_not_a_500(leave_world):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/leave/approvals/", HTTP_REFERER="http://testserver/leave/approvals/?page=2")
    request.session = {}
    request._messages = FallbackStorage(request)
    error = OperationalError("deadlock detected")
    error.__cause__ = _Deadlock()
    response = ConflictMiddleware(lambda r: None).process_exception(request, error)
    assert (response.status_code, response["Location"]) == (303, "http://testserver/leave/approvals/?page=2")
    assert [str(m) for m in request._messages] == [
        "同時有其他人處理相同資料，本次操作未完成，請重新整理頁面後再試一次。"
    ]
    get = RequestFactory().get("/people/")
    assert ConflictMiddleware(lambda r: None).process_exception(get, error).status_code == 503
    assert ConflictMiddleware(lambda r: None).process_exception(get, OperationalError("other")) is None


def test_the_refusal_reads_in_english_for_an_english_reader(leave_world):
    from django.utils import translation

    services.cancel(leave_world["user"], leave_world["application"])
    with translation.override("en"):
        message = APPLICATION_MACHINE.refusal(Application.objects.get(), "approve")
    assert re.fullmatch(
        r"Compensatory leave request: 王小明 already took the step “Cancel” at \d+/\d\d/\d\d \d\d:\d\d, "
        r"so “Approve” is no longer possible\.",
        message,
    ), message


def test_a_state_whose_row_keeps_only_the_time_names_who_from_the_audit_trail():
    from programs import services as programs
    from programs.models import NOMINATION_MACHINE, Nomination

    agency = AgencyFactory(name="示範縣政府人事處")
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="研習中心"), roc_year=104)
    training_class = TrainingClassFactory(
        activity=ActivityFactory(plan=plan, slug="c", kind="training_class", name="班"),
        slug="basic",
        name="基礎班",
    )
    session = SessionFactory(training_class=training_class, number=1, capacity=3)
    programs.nominate(
        UserFactory(role=Role.COORDINATOR, agencies=[agency]),
        session,
        [EmployeeFactory(unit=UnitFactory(agency=agency)).pk],
    )
    programs.confirm_places(UserFactory(role=Role.HR, is_staff=True, employee=EmployeeFactory(name="陳人事")), session)
    message = NOMINATION_MACHINE.refusal(Nomination.objects.get(), "refuse")
    assert re.fullmatch(r"此研習推薦已於 \d+/\d\d/\d\d \d\d:\d\d 由 陳人事 錄取，無法不予錄取。", message), message
