import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incentives import services
from incentives.models import Decision
from portal.models import AuditEntry, Role
from tests.factories import AgencyFactory, EmployeeFactory, ForumTallyFactory, PlanFactory, UnitFactory, UserFactory

RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}],
}
MODERATOR = {"code": "moderator", "kind": "discretionary", "max": {"award": "merit", "count": 1}}


@pytest.fixture
def world(db):
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [RULE, MODERATOR]},
    )
    unit = UnitFactory(agency=agency)
    people = [EmployeeFactory(unit=unit, name=f"員工{n}") for n in range(2)]
    ForumTallyFactory(
        employee=people[0],
        forum="論壇",
        window_start=dt.date(2012, 1, 1),
        window_end=dt.date(2012, 8, 31),
        posts=150,
        replies=60,
    )
    return {
        "plan": plan,
        "people": people,
        "hr": UserFactory(role=Role.HR, is_staff=True),
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency]),
        "stranger": UserFactory(role=Role.COORDINATOR, agencies=[AgencyFactory(name="他機關")]),
    }


def test_decision_workflow_from_eligible_to_issued(world):
    assert services.save_evaluation(world["hr"], world["plan"]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
    }
    decision = Decision.objects.get()
    assert (decision.employee, decision.award, decision.count, decision.status, decision.rule_version.number) == (
        world["people"][0],
        "commendation",
        1,
        "eligible",
        1,
    )
    services.request(world["coordinator"], [decision])
    services.approve(world["hr"], decision)
    services.issue(world["hr"], decision, "南市人考字第1010001號", dt.date(2012, 11, 1))
    decision.refresh_from_db()
    assert (decision.status, decision.order_number) == ("issued", "南市人考字第1010001號")
    assert list(
        AuditEntry.objects.filter(object_type="incentives.decision").values_list("action", flat=True).order_by("id")
    ) == ["decision_requested", "decision_approved", "decision_issued"]


def test_coordinator_of_another_agency_cannot_request(world):
    services.save_evaluation(world["hr"], world["plan"])
    with pytest.raises(PermissionDenied):
        services.request(world["stranger"], [Decision.objects.get()])


def test_rejection_needs_a_reason_and_cannot_be_issued(world):
    services.save_evaluation(world["hr"], world["plan"])
    decision = Decision.objects.get()
    with pytest.raises(ValidationError):
        services.reject(world["hr"], decision, " ")
    services.reject(world["hr"], decision, "篇數含灌水文章")
    with pytest.raises(ValidationError):
        services.issue(world["hr"], decision, "文號", dt.date(2012, 11, 1))


def test_changing_the_rules_keeps_the_old_decisions_version(world):
    services.save_evaluation(world["hr"], world["plan"])
    services.request(world["coordinator"], [Decision.objects.get()])
    plan = world["plan"]
    rule = dict(
        RULE,
        tiers=[{"award": "commendation", "count": 2, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 100}]}]}],
    )
    plan.parameters = {"rules": [rule, MODERATOR]}
    plan.save()
    assert services.save_evaluation(world["hr"], plan) == {"created": 0, "updated": 0, "unchanged": 0, "kept": 1}
    decision = Decision.objects.get()
    assert (
        decision.count,
        decision.rule_version.number,
        decision.rule_version.rules[0]["tiers"][0]["any_of"][0]["all_of"][0]["min"],
    ) == (1, 1, 200)
    assert services.current_version(plan).number == 2


def test_hr_override_grants_within_the_cap_and_withholds_with_a_reason(world):
    moderator = world["people"][1]
    with pytest.raises(ValidationError):
        services.override(
            world["hr"], world["plan"], moderator, "moderator", grant=True, reason="版主", award="merit", count=2
        )
    decision = services.override(
        world["hr"],
        world["plan"],
        moderator,
        "moderator",
        grant=True,
        reason="論壇版主績效優良",
        award="merit",
        count=1,
    )
    assert (decision.reason, decision.status) == ("人事單位核給：論壇版主績效優良", "eligible")
    services.save_evaluation(world["hr"], world["plan"])
    withheld = services.override(
        world["hr"], world["plan"], world["people"][0], "forum-posts", grant=False, reason="重複計算"
    )
    assert (withheld.status, withheld.override_reason) == ("withheld", "重複計算")
    assert services.save_evaluation(world["hr"], world["plan"])["kept"] == 1
    with pytest.raises(PermissionDenied):
        services.override(world["coordinator"], world["plan"], moderator, "moderator", grant=True, reason="x")


def test_admin_edit_of_a_plan_is_audited_with_before_and_after(world, client):
    from django.urls import reverse

    from portal.models import AuditEntry

    admin_user = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    plan = world["plan"]
    url = reverse("admin:programs_plan_change", args=[plan.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    assert "parameters" not in form.fields  # rules are edited on their own form (incentives:rule-edit)
    data.update(
        {
            "title": "新計畫名稱",
            "parameters": '{"rules": []}',
            "basis": "[]",
            "goals": "[]",
            "employment_types": "[]",
            "kpis": "[]",
            "activities-TOTAL_FORMS": "0",
            "activities-INITIAL_FORMS": "0",
            "roc_year": "101",
            "slug": "tainan-101",
            "issuer": str(plan.issuer_id),
        }
    )
    data.pop("excluded_agencies", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    entry = AuditEntry.objects.get(action="admin_change", object_type="programs.plan")
    assert (entry.actor, entry.before["title"], entry.after["title"]) == (admin_user, "計畫", "新計畫名稱")
    plan.refresh_from_db()
    assert "parameters" not in entry.after and plan.parameters["rules"][0]["code"] == "forum-posts"
    assert "新計畫名稱" in client.get(url).content.decode()


def test_evaluating_again_with_nothing_new_counts_nothing_updated(world):
    """A newcomer pressed 重新評估 twice and read 「更新 108 件」 both times: only real changes count."""
    assert services.save_evaluation(world["hr"], world["plan"], dt.date(2012, 12, 1))["created"] == 1
    again = services.save_evaluation(world["hr"], world["plan"], dt.date(2012, 12, 31))
    assert again == {"created": 0, "updated": 0, "unchanged": 1, "kept": 0}
