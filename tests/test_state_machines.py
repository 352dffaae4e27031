"""Every pair of transitions that can meet on one object, as two real concurrent transactions
on PostgreSQL (issue #15): the end state is one of the two one-at-a-time orders; where the two
exclude each other exactly one succeeds and the other is told, in Chinese, what happened
meanwhile, by whom and when; the leave ledger's sums are exact afterwards.
"""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum

from incentives import services as incentives
from incentives.models import Decision
from leave import services
from leave.models import Entry, GrantReview
from portal.models import AuditEntry, Role
from portal.statemachine import is_conflict, retry_on_conflict
from programs import services as programs
from programs.models import Activity, CampNomination, Nomination, Proposal
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)
from tests.test_concurrency import _leave_world, _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2012, 9, 2)
WHEN = r"\d+/\d\d/\d\d \d\d:\d\d"


@pytest.fixture(autouse=True)
def _on_postgresql():
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"


def exactly_one(outcomes: list[str], message: str) -> None:
    """One call succeeded and the other was told `message` (a regular expression)."""
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok", outcomes
    told = [o for o in outcomes if o != "ok"]
    assert len(told) == 1 and re.fullmatch(message, told[0]), outcomes


def ledger_sum(employee) -> D:
    return Entry.objects.filter(employee=employee).aggregate(s=Sum("hours", default=D(0)))["s"]


def leave(hours=8):
    plan, employee, user, head, hr = _leave_world([(hours, dt.date(2012, 8, 1), dt.date(2012, 12, 28))])
    application = services.apply(
        user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(12, 30), today=dt.date(2012, 9, 1)
    )
    return plan, employee, user, head, hr, application


# -- leave applications -------------------------------------------------------------------------


def test_approve_against_return_one_wins_and_the_other_hears_who_decided():
    _plan, employee, _user, head, _hr, application = leave()
    outcomes = _race(
        lambda: services.decide(head, application, approve=True),
        lambda: services.decide(head, application, approve=False, note="請改期"),
        told=True,
    )
    application.refresh_from_db()
    name = head.employee.name
    if application.status == "approved":
        exactly_one(outcomes, rf"此補休申請已於 {WHEN} 由 {name} 核章，無法退回。")
        assert ledger_sum(employee) == D(4)
    else:
        exactly_one(outcomes, rf"此補休申請已於 {WHEN} 由 {name} 退回，無法核章。")
        assert ledger_sum(employee) == D(8)


def test_cancel_against_cancel_gives_the_hours_back_once():
    _plan, employee, user, _head, hr, application = leave()
    outcomes = _race(
        lambda: services.cancel(user, application, today=TODAY),
        lambda: services.cancel(hr, application, today=TODAY),
        told=True,
    )
    exactly_one(outcomes, rf"此補休申請已於 {WHEN} 由 .+ 取消，無法取消。")
    assert Entry.objects.filter(application=application, kind="reversal").count() == 1
    assert ledger_sum(employee) == D(8)
    assert AuditEntry.objects.filter(action="leave_cancelled", object_id=str(application.pk)).count() == 1


def test_return_against_cancel_gives_the_hours_back_once():
    _plan, employee, user, head, _hr, application = leave()
    outcomes = _race(
        lambda: services.decide(head, application, approve=False, note="人力不足"),
        lambda: services.cancel(user, application, today=TODAY),
        told=True,
    )
    application.refresh_from_db()
    verb = "退回" if application.status == "returned" else "取消"
    exactly_one(outcomes, rf"此補休申請已於 {WHEN} 由 .+ {verb}，無法(核章|退回|取消)。")
    assert application.status in ("returned", "cancelled")
    assert Entry.objects.filter(application=application, kind="reversal").count() == 1
    assert ledger_sum(employee) == D(8)


def test_register_against_register_registers_once():
    _plan, _employee, _user, head, hr, application = leave()
    services.decide(head, application, approve=True)
    other_hr = UserFactory(role=Role.HR, is_staff=True)
    outcomes = _race(
        lambda: services.register(hr, application), lambda: services.register(other_hr, application), told=True
    )
    exactly_one(outcomes, rf"此補休申請已於 {WHEN} 由 .+ 登記，無法登記。")
    assert AuditEntry.objects.filter(action="leave_registered", object_id=str(application.pk)).count() == 1


def test_an_application_racing_hr_withdrawing_its_grant_never_overdraws_the_grant():
    """The application locks the employee, then the grants, and reads what is left afterwards."""
    plan, employee, user, _head, hr = _leave_world([(4, dt.date(2012, 8, 1), dt.date(2012, 12, 28))])
    grant = Entry.objects.get(kind="grant")
    review = GrantReview.objects.create(grant=grant, reason="紀錄已更正")
    outcomes = _race(
        lambda: services.decide_review(hr, review, keep=False, note="不符公餘"),
        lambda: services.apply(user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(10, 30), today=TODAY),
    )
    left = grant.hours + Entry.objects.filter(grant=grant).aggregate(s=Sum("hours"))["s"]
    assert left == 0
    assert outcomes[0] == "ok"
    # Withdrawn first: nothing left to apply for. Applied first: the withdrawal takes the 2 h left.
    assert (outcomes[1], ledger_sum(employee)) in {("ValidationError", D(0)), ("ok", D(0))}
    assert Entry.objects.filter(kind="use").count() == (outcomes[1] == "ok")


# -- grant reviews --------------------------------------------------------------------------


@pytest.mark.parametrize("second_keeps", [True, False])
def test_two_officers_deciding_one_review_decide_it_once(second_keeps):
    _plan, employee, _user, _head, hr = _leave_world([(6, dt.date(2012, 8, 1), dt.date(2012, 12, 28))])
    review = GrantReview.objects.create(grant=Entry.objects.get(kind="grant"), reason="紀錄已更正")
    other = UserFactory(role=Role.HR, is_staff=True, first_name="第二位")
    outcomes = _race(
        lambda: services.decide_review(hr, review, keep=False, note="不符公餘"),
        lambda: services.decide_review(other, review, keep=second_keeps, note="確認"),
        told=True,
    )
    review.refresh_from_db()
    done = {"kept": "維持核給", "withdrawn": "撤銷核給"}[review.status]
    exactly_one(outcomes, rf"此補休複核案已於 {WHEN} 由 .+ {done}，無法(維持核給|撤銷核給)。")
    assert Entry.objects.filter(kind="reversal").count() == (review.status == "withdrawn")
    assert ledger_sum(employee) == (D(0) if review.status == "withdrawn" else D(6))


# -- award decisions ----------------------------------------------------------------------------


def _requested_decision(settings):
    from tests.test_decision_desk import decision_of, setup_world

    world = setup_world(settings)
    incentives.save_evaluation(world["hr"], world["plan"])
    wang = decision_of(world["people"][0])
    incentives.request(world["coordinator"], [wang])
    return world, wang


def test_approve_against_return_on_one_decision(settings):
    world, wang = _requested_decision(settings)
    other = UserFactory(role=Role.HR, is_staff=True, first_name="第二位")
    outcomes = _race(
        lambda: incentives.approve(world["hr"], Decision.objects.get(pk=wang.pk)),
        lambda: incentives.return_to_coordinator(other, [Decision.objects.get(pk=wang.pk)], "請補附件"),
        told=True,
    )
    status = Decision.objects.get(pk=wang.pk).status
    if status == "approved":
        exactly_one(outcomes, "以下獎勵案不能退回機關，全部未處理：王小明（人事單位核定）")
    else:
        assert status == "eligible"
        exactly_one(outcomes, rf"此獎勵案已於 {WHEN} 由 第二位 退回機關，無法核定。")
    assert (
        AuditEntry.objects.filter(object_id=str(wang.pk), action__in=["decision_approved", "decision_returned"]).count()
        == 1
    )


def test_approve_against_reject_ends_in_one_of_the_two_orders(settings):
    world, wang = _requested_decision(settings)
    outcomes = _race(
        lambda: incentives.approve(world["hr"], Decision.objects.get(pk=wang.pk)),
        lambda: incentives.reject(world["tainan_hr"], Decision.objects.get(pk=wang.pk), "資料不實"),
        told=True,
    )
    # Approved then rejected (an approved award may still be turned down), or rejected then refused.
    assert Decision.objects.get(pk=wang.pk).status == "rejected"
    assert outcomes[1] == "ok"
    assert outcomes[0] == "ok" or re.fullmatch(rf"此獎勵案已於 {WHEN} 由 .+ 不予核定，無法核定。", outcomes[0]), (
        outcomes
    )


def test_two_coordinators_filing_one_request_at_once_file_it_once(settings):
    from tests.test_decision_desk import decision_of, setup_world

    world = setup_world(settings)
    incentives.save_evaluation(world["hr"], world["plan"])
    wang = decision_of(world["people"][0])
    other = UserFactory(role=Role.COORDINATOR, agencies=[world["agency"]], first_name="第二位")
    outcomes = _race(
        lambda: incentives.request(world["coordinator"], [Decision.objects.get(pk=wang.pk)]),
        lambda: incentives.request(other, [Decision.objects.get(pk=wang.pk)]),
        told=True,
    )
    exactly_one(outcomes, "以下獎勵案不能提報，全部未處理：王小明（機關已提報）")
    assert AuditEntry.objects.filter(object_id=str(wang.pk), action="decision_requested").count() == 1


def test_issue_against_reject_on_an_approved_decision_one_wins(settings):
    world, wang = _requested_decision(settings)
    incentives.approve(world["hr"], Decision.objects.get(pk=wang.pk))
    outcomes = _race(
        lambda: incentives.issue(world["hr"], Decision.objects.get(pk=wang.pk), "府人考字第1號", dt.date(2012, 10, 5)),
        lambda: incentives.reject(world["tainan_hr"], Decision.objects.get(pk=wang.pk), "資料不實"),
        told=True,
    )
    status = Decision.objects.get(pk=wang.pk).status
    if status == "issued":
        exactly_one(outcomes, rf"此獎勵案已於 {WHEN} 由 .+ 發布獎懲令，無法不予核定。")
    else:
        assert status == "rejected"
        exactly_one(outcomes, rf"此獎勵案已於 {WHEN} 由 .+ 不予核定，無法發布獎懲令。")


# -- nominations and the camp -------------------------------------------------------------------


def _session(capacity=1, quota=None, people=2):
    agency = AgencyFactory(name="示範縣政府人事處")
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="研習中心"), roc_year=104)
    training_class = TrainingClassFactory(
        activity=ActivityFactory(plan=plan, slug="c", kind="training_class", name="班"),
        slug="basic",
        name="基礎班",
    )
    session = SessionFactory(
        training_class=training_class,
        number=1,
        capacity=capacity,
        agency_quotas={str(agency.pk): quota} if quota else {},
    )
    unit = UnitFactory(agency=agency)
    staff = [EmployeeFactory(unit=unit) for _ in range(people)]
    return session, agency, staff


def test_two_hr_officers_confirming_one_session_confirm_no_more_than_its_capacity():
    session, agency, staff = _session(capacity=1, people=3)
    programs.nominate(UserFactory(role=Role.COORDINATOR, agencies=[agency]), session, [e.pk for e in staff])
    hr, other = UserFactory(role=Role.HR, is_staff=True), UserFactory(role=Role.HR, is_staff=True)
    outcomes = _race(lambda: programs.confirm_places(hr, session), lambda: programs.confirm_places(other, session))
    assert outcomes == ["ok", "ok"]
    assert sorted(Nomination.objects.values_list("status", flat=True)) == ["confirmed", "refused", "refused"]
    assert AuditEntry.objects.filter(action__in=["confirmed", "refused"]).count() == 3


def test_attendance_recorded_twice_at_once_is_recorded_once_and_a_correction_is_one_of_the_orders():
    session, agency, staff = _session(capacity=5, people=1)
    programs.nominate(UserFactory(role=Role.COORDINATOR, agencies=[agency]), session, [staff[0].pk])
    hr, other = UserFactory(role=Role.HR, is_staff=True), UserFactory(role=Role.HR, is_staff=True)
    programs.confirm_places(hr, session)
    nomination = Nomination.objects.get()
    outcomes = _race(
        lambda: programs.record_attendance(hr, nomination, True),
        lambda: programs.record_attendance(other, nomination, True),
        told=True,
    )
    exactly_one(outcomes, rf"此研習推薦已於 {WHEN} 由 .+ 登錄為已參訓，無法登錄為已參訓。")
    outcomes = _race(
        lambda: programs.record_attendance(hr, nomination, False),
        lambda: programs.record_attendance(other, nomination, True),
        told=True,
    )
    nomination.refresh_from_db()
    from programs.models import ClassHistory

    # attended → absent → attended, or attended → (attend refused) → absent: history follows the last word.
    assert (nomination.status, ClassHistory.objects.count()) in {("attended", 1), ("absent", 0)}
    assert outcomes[0] == "ok"


def test_two_coordinators_cannot_both_take_the_last_camp_place():
    government = AgencyFactory(name="示範縣政府")
    agency = AgencyFactory(name="示範縣政府人事處", parent=government)
    plan = PlanFactory(slug="camp-104", issuer=AgencyFactory(name="研習中心"), roc_year=104)
    camp = ActivityFactory(
        plan=plan, slug="camp", kind="english_camp", name="英語營", details={"quota_per_government": 1}
    )
    unit = UnitFactory(agency=agency)
    first, second = EmployeeFactory(unit=unit), EmployeeFactory(unit=unit)
    coordinators = [UserFactory(role=Role.COORDINATOR, agencies=[agency]) for _ in range(2)]
    programs.camp_quota(camp, government)  # the quota row exists before the race, as after the first nomination
    accepted = []
    outcomes = _race(
        lambda: accepted.extend(
            o.accepted
            for o in programs.nominate_to_camp(coordinators[0], camp, [first.pk], levels={first.pk: "intermediate"})
        ),
        lambda: accepted.extend(
            o.accepted
            for o in programs.nominate_to_camp(coordinators[1], camp, [second.pk], levels={second.pk: "intermediate"})
        ),
    )
    assert outcomes == ["ok", "ok"]
    assert sorted(accepted) == [False, True]
    assert CampNomination.objects.count() == 1


# -- 熠星 proposals --------------------------------------------------------------------------


def _submitted_proposal():
    government = AgencyFactory(name="花蓮縣政府")
    plan = PlanFactory(slug="hualien-106", issuer=government, roc_year=106)
    activity = ActivityFactory(plan=plan, slug="yixing", kind=Activity.Kind.YIXING, name="熠星")
    leader = EmployeeFactory(unit=UnitFactory(agency=government))
    proposal = ProposalFactory(
        activity=activity, agency=government, title="洄瀾熠星", leader=leader, status=Proposal.Status.SUBMITTED
    )
    hr = UserFactory(role=Role.HR, is_staff=True, agencies=[government], first_name="甲")
    other = UserFactory(role=Role.HR, is_staff=True, agencies=[government], first_name="乙")
    return proposal, hr, other


def test_select_against_not_select_one_wins_and_the_other_hears_it():
    proposal, hr, other = _submitted_proposal()
    outcomes = _race(
        lambda: programs.select_proposal(hr, proposal, True),
        lambda: programs.select_proposal(other, proposal, False),
        told=True,
    )
    proposal.refresh_from_db()
    done = {"selected": "評選為入選", "not_selected": "評選為未入選"}[proposal.status]
    exactly_one(outcomes, rf"此熠星方案申請已於 {WHEN} 由 [甲乙] {done}，無法評選為(未)?入選。")
    assert AuditEntry.objects.filter(action="proposal_select").count() == 1


def test_two_ratings_at_once_end_with_one_rating_and_one_team():
    proposal, hr, other = _submitted_proposal()
    programs.select_proposal(hr, proposal, True)
    outcomes = _race(
        lambda: programs.rate_proposal(hr, proposal, "特優"), lambda: programs.rate_proposal(other, proposal, "優等")
    )
    assert outcomes == ["ok", "ok"]
    proposal.refresh_from_db()
    from programs.models import Team, TeamMember

    assert proposal.rating in ("特優", "優等")
    assert list(Team.objects.values_list("rating", flat=True)) == [proposal.rating]
    assert TeamMember.objects.count() == 1


# -- the retry --------------------------------------------------------------------------------


def test_a_deadlock_is_retried_and_then_succeeds():
    """PostgreSQL's own deadlock (SQLSTATE 40P01), raised once by a real statement, then gone."""
    calls = []

    @retry_on_conflict
    def service():
        calls.append(1)
        with connection.cursor() as cursor:
            if len(calls) == 1:
                cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$")
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]

    assert service() == 1
    assert len(calls) == 2


def test_a_conflict_inside_an_outer_transaction_is_left_to_its_owner():
    from django.db import OperationalError, transaction

    @retry_on_conflict
    def service():
        with connection.cursor() as cursor:
            cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$")

    with pytest.raises(OperationalError) as raised, transaction.atomic():
        service()
    assert is_conflict(raised.value)
