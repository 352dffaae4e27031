"""HR scoped to one government sees only that government (issue 15, item 6), built on one
access check (`portal.queries.serves_every_government`); the central centre's HR still sees
what covered governments submit to its own plans (DOMAIN.md, roles)."""

import pytest

from portal.models import ImportBatch, Role
from portal.queries import serves_every_government
from programs.models import CampNomination, Plan, Proposal
from programs.queries import camp_nominations_visible_to, proposals_visible_to
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    EmployeeFactory,
    EntryFactory,
    PlanFactory,
    ProposalFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def governments(db):
    rad = AgencyFactory(name="地方行政研習中心")
    city_a, city_b = AgencyFactory(name="甲市政府"), AgencyFactory(name="乙縣政府")
    EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="甲市衛生局", parent=city_a)))
    person_b = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="乙縣衛生局", parent=city_b)))
    users = {
        "rad_hr": UserFactory(role=Role.HR, agencies=[rad]),
        "hr_a": UserFactory(role=Role.HR, agencies=[city_a]),
        "hr_b": UserFactory(role=Role.HR, agencies=[city_b]),
        "hr_all": UserFactory(role=Role.HR),
        "coordinator_b": UserFactory(role=Role.COORDINATOR, agencies=[city_b]),
    }
    central = PlanFactory(
        slug="rad-104", issuer=rad, roc_year=104, title="中心計畫", parameters={"coverage_scope": "all"}
    )
    local_b = PlanFactory(slug="b-104", issuer=city_b, roc_year=104, title="乙縣計畫")
    central_yixing = ActivityFactory(plan=central, slug="yixing", kind="yixing", name="熠星")
    local_yixing = ActivityFactory(plan=local_b, slug="yixing", kind="yixing", name="熠星")
    camp = ActivityFactory(plan=central, slug="camp", kind="english_camp", name="英語營")
    proposals = {
        "b_to_central": ProposalFactory(
            activity=central_yixing,
            agency=person_b.agency,
            title="乙縣送中心",
            leader=person_b,
            status=Proposal.Status.SUBMITTED,
        ),
        "b_to_b": ProposalFactory(
            activity=local_yixing,
            agency=person_b.agency,
            title="乙縣自辦",
            leader=person_b,
            status=Proposal.Status.SUBMITTED,
        ),
    }
    CampNomination.objects.create(activity=camp, employee=person_b, government=city_b, circle="乙圈")
    batches = {
        key: ImportBatch.objects.create(kind="roster", file_name=f"{key}.csv", created_by=users[key])
        for key in ("hr_a", "hr_b", "coordinator_b", "hr_all")
    }
    return {"users": users, "proposals": proposals, "batches": batches}


def test_one_check_says_who_serves_every_government(governments):
    users = governments["users"]
    assert {k: serves_every_government(u) for k, u in users.items()} == {
        "rad_hr": False,
        "hr_a": False,
        "hr_b": False,
        "hr_all": True,
        "coordinator_b": False,
    }


def test_import_batches_of_another_government_are_hidden_from_scoped_hr(governments):
    users, batches = governments["users"], governments["batches"]
    seen = {
        key: set(ImportBatch.objects.visible_to(user).values_list("file_name", flat=True))
        for key, user in users.items()
    }
    assert seen["hr_a"] == {"hr_a.csv"}
    assert seen["hr_b"] == {"hr_b.csv", "coordinator_b.csv"}  # its own and its government's coordinator's
    assert seen["hr_all"] == {f"{key}.csv" for key in batches}
    assert seen["coordinator_b"] == {"coordinator_b.csv"}


def test_central_centre_hr_sees_what_covered_governments_submit_to_its_plans_only(governments):
    users = governments["users"]
    titles = {key: sorted(proposals_visible_to(user).values_list("title", flat=True)) for key, user in users.items()}
    assert titles["rad_hr"] == ["乙縣送中心"]
    assert titles["hr_a"] == []
    assert titles["hr_b"] == ["乙縣自辦", "乙縣送中心"]
    assert [c.circle for c in camp_nominations_visible_to(users["rad_hr"])] == ["乙圈"]
    assert list(camp_nominations_visible_to(users["hr_a"])) == []


def test_audit_entries_of_another_government_are_hidden_in_the_admin(governments, client):
    from django.contrib.auth.models import Permission

    from portal import audit

    users = governments["users"]
    for key in ("hr_a", "hr_b"):
        users[key].is_staff = True
        users[key].save()
        users[key].user_permissions.set(Permission.objects.filter(codename="view_auditentry"))
        audit.record(users[key], "test_action", governments["batches"][key], f"{key} 的紀錄")
    seen = {}
    for key in ("hr_a", "hr_b"):
        client.force_login(users[key])
        page = client.get("/admin/portal/auditentry/").content.decode()
        seen[key] = [k for k in ("hr_a 的紀錄", "hr_b 的紀錄") if k in page]
    assert seen == {"hr_a": ["hr_a 的紀錄"], "hr_b": ["hr_b 的紀錄"]}


def test_system_job_entries_show_to_scoped_hr_only_where_they_belong_to_its_government(governments):
    """Entries with no actor (the lapse job, an import from the command line, load_plans) are
    read by HR of one government only when their object is its own: its people's ledger, its
    batches, its plans; every other system entry is for HR serving every government."""
    import datetime as dt

    from portal import audit
    from portal.admin import AuditEntryAdmin
    from portal.models import AuditEntry

    users = governments["users"]
    plan = Plan.objects.get(slug="b-104")
    person_a = EmployeeFactory(
        unit=UnitFactory(agency=AgencyFactory(name="甲市消防局", parent=users["hr_a"].agencies.get()))
    )
    person_b = governments["proposals"]["b_to_b"].leader
    for person in (person_a, person_b):
        grant = EntryFactory(
            employee=person,
            plan=plan,
            kind="grant",
            hours=2,
            earned_on=dt.date(2015, 1, 5),
            usable_until=dt.date(2015, 6, 30),
        )
        audit.record(None, "leave_lapse", grant, f"{person.agency.name} 失效")
    audit.record(None, "import_applied", ImportBatch.objects.create(kind="roster", file_name="cli.csv"), "命令列匯入")
    audit.record(None, "import_applied", governments["batches"]["coordinator_b"], "乙縣承辦的批次")
    audit.record(None, "plan_load", plan, "乙縣計畫載入")
    audit.record(None, "plan_load", Plan.objects.get(slug="rad-104"), "中心計畫載入")
    admin = AuditEntryAdmin(AuditEntry, None)

    def seen(key):
        return sorted(admin.visible(users[key]).values_list("summary", flat=True))

    assert seen("hr_a") == ["甲市消防局 失效"]
    assert seen("hr_b") == sorted(["乙縣承辦的批次", "乙縣計畫載入", "乙縣衛生局 失效"])
    assert seen("rad_hr") == ["中心計畫載入"]
    assert AuditEntry.objects.filter(actor__isnull=True).count() == 6
