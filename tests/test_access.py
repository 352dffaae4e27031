"""Walk every URL of the project as every role: nobody sees what they may not see.

Each URL is requested with the objects of agency B; the coordinator of agency A, the
employee and the supervisor must get a refusal (302 to log-in, 403 or 404) or a page
that shows nothing of agency B's people. A new URL without an entry in PARAMS fails
the test, so the walk stays exhaustive.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from portal.models import GeneratedDocument, ImportBatch, Role
from programs.models import CampNomination, Proposal
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ContestEntryFactory,
    DecisionFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)
from tests.figures import report

ROLES = ["anonymous", "employee", "supervisor", "coordinator_a", "coordinator_b", "hr"]
SECRET_NAME = "乙機關秘密人"
SECRET_ID = "F234567898"
DENIED = {302, 403, 404, 405}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern)


@pytest.fixture
def world(db):
    government = AgencyFactory(name="示範市政府")
    agency_a = AgencyFactory(name="甲機關", parent=government)
    agency_b = AgencyFactory(name="乙機關", parent=government)
    unit_a = UnitFactory(agency=agency_a)
    clerk = EmployeeFactory(unit=unit_a, name="甲機關員工")
    head = EmployeeFactory(unit=unit_a, name="甲機關主管")
    secret = EmployeeFactory(unit=UnitFactory(agency=agency_b), name=SECRET_NAME, national_id=SECRET_ID)
    plan = PlanFactory(slug="demo-104", issuer=government, roc_year=104, title="示範計畫")
    classes = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    session = SessionFactory(
        training_class=TrainingClassFactory(activity=classes, slug="basic", name="基礎班"),
        number=1,
        capacity=10,
    )
    camp = ActivityFactory(plan=plan, slug="camp", kind="english_camp", name="英語營")
    mentoring = ActivityFactory(plan=plan, slug="mentoring", kind="mentoring", name="電子師徒制")
    from programs.models import MentoringCandidate

    MentoringCandidate.objects.create(activity=mentoring, employee=secret, role="mentee", note=SECRET_NAME)
    yixing = ActivityFactory(plan=plan, slug="yixing", kind="yixing", name="熠星")
    proposal_b = ProposalFactory(activity=yixing, agency=agency_b, title=f"{SECRET_NAME}的提案", leader=secret)
    ContestEntryFactory(plan=plan, title=f"{SECRET_NAME}的作品", agency=agency_b, review="通過").authors.set([secret])
    CampNomination.objects.create(activity=camp, employee=secret, government=government, circle="乙圈")
    extras = _issue_19_objects(plan, secret, f"{SECRET_NAME}的心得")
    users = {
        "employee": UserFactory(role=Role.EMPLOYEE, employee=clerk),
        "supervisor": UserFactory(role=Role.SUPERVISOR, employee=head),
        "coordinator_a": UserFactory(role=Role.COORDINATOR, agencies=[agency_a]),
        "coordinator_b": UserFactory(role=Role.COORDINATOR, agencies=[agency_b]),
        "hr": UserFactory(role=Role.HR, is_staff=True, is_superuser=True),
    }
    users["supervisor"].headed_units.set([unit_a])
    batch_b = ImportBatch.objects.create(
        kind="roster", file_name="乙.csv", created_by=users["coordinator_b"], message=f"{SECRET_NAME} 匯入"
    )
    from django.core.files.base import ContentFile

    document_b = GeneratedDocument(
        kind="roster",
        title=f"{SECRET_NAME}的名冊",
        requested_by=users["coordinator_b"],
        status="ready",
        file_name="roster.pdf",
        message=SECRET_NAME,
    )
    document_b.file.save("roster.pdf", ContentFile(f"%PDF {SECRET_NAME}".encode()), save=True)
    from leave.models import Application

    application_b = Application.objects.create(
        employee=secret,
        plan=plan,
        leave_date=dt.date(2015, 5, 1),
        starts_at=dt.time(8, 30),
        ends_at=dt.time(12, 30),
        hours=4,
    )
    from incentives.models import RuleVersion

    DecisionFactory(
        plan=plan,
        employee=secret,
        rule_code="forum-posts",
        award="commendation",
        count=1,
        reason=f"{SECRET_NAME}的論壇發表",
        status="issued",
        order_number="示府人考字第1號",
        order_date=dt.date(2015, 7, 20),
        rule_version=RuleVersion.objects.create(plan=plan, number=1, rules=[]),
    )
    world = {
        "account_b": UserFactory(employee=secret, username="secret-b"),
        "application_b": application_b,
        "document_b": document_b,
        "plan": plan,
        "session": session,
        "camp": camp,
        "mentoring": mentoring,
        "yixing": yixing,
        "proposal_b": proposal_b,
        "batch_b": batch_b,
        "secret": secret,
        "agency_b": agency_b,
        "users": users,
        **extras,
    }
    world["government_b"] = _government_b(world)
    return world


def _issue_19_objects(plan, secret, note) -> dict:
    """The registry, the showcase and a reflection, each holding `secret` (issue 19)."""
    from programs.models import Reflection, SeedTeacher, ShowcaseRegistration

    registry = ActivityFactory(plan=plan, slug="talents", kind="talent_registry", name="數位人才資料庫")
    teacher = SeedTeacher.objects.create(activity=registry, employee=secret, source="named", reason=note)
    showcase = ActivityFactory(
        plan=plan, slug="showcase", kind="showcase", name="成果發表會", details={"capacity": 300}
    )
    registration = ShowcaseRegistration.objects.create(activity=showcase, employee=secret)
    micro = ActivityFactory(
        plan=plan, slug="micro", kind="micro_learning", name="微微學習", details={"max_reflection_chars": 300}
    )
    Reflection.objects.create(activity=micro, employee=secret, kind="book", item=note, text=note, characters=len(note))
    from programs.models import ReadingBid

    reading = ActivityFactory(plan=plan, slug="reading-bid", kind="reading_bid", name="數位閱讀計畫競標")
    bid = ReadingBid.objects.create(activity=reading, agency=secret.agency, title=note, forum=note, status="submitted")
    return {
        "registry": registry,
        "teacher_b": teacher,
        "showcase": showcase,
        "registration_b": registration,
        "reading": reading,
        "bid_b": bid,
    }


GOV_B_SECRET_NAME = "乙縣府秘密人"
GOV_B_SECRET_ID = "E110001158"


def _government_b(world) -> dict:
    """A second government with its own plan, people and papers, and one HR officer scoped to
    each government: `hr_a` (示範市政府, the world's government) and `hr_b` (乙縣政府).

    Returns a world of the same shape as `world` whose objects are all government B's, so
    that `params` and `admin_urls` point every URL at them.
    """
    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile

    from incentives.models import RuleVersion
    from leave.models import Application

    government_a = world["agency_b"].parent
    government_b = AgencyFactory(name="乙縣政府")
    agency = AgencyFactory(name="乙縣政府衛生局", parent=government_b)
    secret = EmployeeFactory(unit=UnitFactory(agency=agency), name=GOV_B_SECRET_NAME, national_id=GOV_B_SECRET_ID)
    users = dict(world["users"])
    for key, government in (("hr_a", government_a), ("hr_b", government_b)):
        # Staff with every admin permission: the admin lists themselves must be scoped.
        users[key] = UserFactory(role=Role.HR, is_staff=True, agencies=[government])
        users[key].user_permissions.set(Permission.objects.all())
    plan = PlanFactory(
        slug="gov-b-104",
        issuer=government_b,
        roc_year=104,
        title="乙縣計畫",
        parameters={
            "rules": [
                {
                    "code": "english",
                    "kind": "certificates",
                    "groups": [{"all_of": ["英語中級"], "award": "commendation", "count": 1}],
                },
                {
                    "code": "draws",
                    "kind": "lottery",
                    "list": "reading",
                    "chances_per_course": 1,
                    "seasons": [{"slug": "spring", "name": "春‧悅讀", "list": "reading", "prizes": 1}],
                },
            ]
        },
    )
    classes = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    session = SessionFactory(
        training_class=TrainingClassFactory(activity=classes, slug="basic", name="基礎班"),
        number=1,
        capacity=10,
    )
    camp = ActivityFactory(plan=plan, slug="camp", kind="english_camp", name="英語營")
    mentoring = ActivityFactory(plan=plan, slug="mentoring", kind="mentoring", name="電子師徒制")
    from programs.models import MentoringCandidate

    MentoringCandidate.objects.create(activity=mentoring, employee=secret, role="mentee", note=GOV_B_SECRET_NAME)
    yixing = ActivityFactory(plan=plan, slug="yixing", kind="yixing", name="熠星")
    proposal = ProposalFactory(
        activity=yixing,
        agency=agency,
        title=f"{GOV_B_SECRET_NAME}的提案",
        leader=secret,
        status=Proposal.Status.SUBMITTED,
    )
    ContestEntryFactory(plan=plan, title=f"{GOV_B_SECRET_NAME}的作品", agency=agency, review="通過").authors.set(
        [secret]
    )
    CampNomination.objects.create(activity=camp, employee=secret, government=government_b, circle="乙縣圈")
    from django.utils import timezone

    from incentives.models import Draw

    line = f"乙縣政府衛生局\t{GOV_B_SECRET_NAME}\tE12****789\t閱讀課程\t2015-04-01\t1"
    Draw.objects.create(
        plan=plan,
        rule_code="draws",
        season="spring",
        season_name="春‧悅讀",
        status="drawn",
        seed="乙縣種子",
        seed_published_at=timezone.now(),
        prizes=1,
        chances=[line],
        winners=[line],
        winner_ids=[secret.pk],
        drawn_at=timezone.now(),
    )
    extras = _issue_19_objects(plan, secret, f"{GOV_B_SECRET_NAME}的心得")
    batch = ImportBatch.objects.create(
        kind="roster", file_name="乙縣.csv", created_by=users["hr_b"], message=f"{GOV_B_SECRET_NAME} 匯入"
    )
    document = GeneratedDocument(
        kind="roster",
        title=f"{GOV_B_SECRET_NAME}的名冊",
        requested_by=users["hr_b"],
        status="ready",
        file_name="roster.pdf",
        message=GOV_B_SECRET_NAME,
    )
    document.file.save("roster.pdf", ContentFile(f"%PDF {GOV_B_SECRET_NAME}".encode()), save=True)
    application = Application.objects.create(
        employee=secret,
        plan=plan,
        leave_date=dt.date(2015, 5, 1),
        starts_at=dt.time(8, 30),
        ends_at=dt.time(12, 30),
        hours=4,
    )
    DecisionFactory(
        plan=plan,
        employee=secret,
        rule_code="forum-posts",
        award="commendation",
        count=1,
        reason=f"{GOV_B_SECRET_NAME}的論壇發表",
        status="issued",
        order_number="乙府人考字第1號",
        order_date=dt.date(2015, 7, 20),
        rule_version=RuleVersion.objects.create(plan=plan, number=1, rules=[]),
    )
    world["users"].update(hr_a=users["hr_a"], hr_b=users["hr_b"])
    return {
        "account_b": UserFactory(employee=secret, username="secret-gov-b"),
        "application_b": application,
        "document_b": document,
        "plan": plan,
        "session": session,
        "camp": camp,
        "mentoring": mentoring,
        "yixing": yixing,
        "proposal_b": proposal,
        "batch_b": batch,
        "secret": secret,
        "agency_b": agency,
        "users": users,
        **extras,
    }


def params(name: str, world) -> dict | None:
    """The keyword arguments that point a URL at agency B's objects."""
    table = {
        "programs:plan": {"slug": world["plan"].slug},
        "programs:plan-pdf": {"slug": world["plan"].slug},
        "incentives:staff": {"slug": world["plan"].slug},
        "incentives:kpi": {"slug": world["plan"].slug},
        "incentives:kpi-pdf": {"slug": world["plan"].slug},
        "incentives:kpi-people": {"slug": world["plan"].slug, "figure": "staff"},
        "incentives:roster": {"slug": world["plan"].slug},
        "incentives:tally": {"slug": world["plan"].slug},
        "incentives:rules": {"slug": world["plan"].slug},
        "incentives:rule-edit": {"slug": world["plan"].slug, "code": "english"},
        "incentives:draws": {"slug": world["plan"].slug},
        "incentives:draw-chances": {"slug": world["plan"].slug, "season": "spring"},
        "incentives:draw-winners": {"slug": world["plan"].slug, "season": "spring"},
        "incentives:decisions": {},  # HR only; agency B's issued decision is in the world
        "incentives:order-roster": {},  # HR only; without ?order= it is 404
        "programs:nominate": {"pk": world["session"].pk},
        "programs:camp": {"pk": world["camp"].pk},
        "programs:mentoring": {"pk": world["mentoring"].pk},
        "programs:proposal": {"pk": world["proposal_b"].pk},
        "programs:proposal-pdf": {"pk": world["proposal_b"].pk},
        "programs:proposal-decide": {"pk": world["proposal_b"].pk},  # POST only: a GET is refused (405)
        "programs:proposal-new": {"activity_pk": world["yixing"].pk},
        "import-batch": {"pk": world["batch_b"].pk},
        "import-apply": {"pk": world["batch_b"].pk},
        "import-template": {"kind": "roster", "fmt": "xlsx"},  # HR only
        "document": {"pk": world["document_b"].pk},
        "document-download": {"pk": world["document_b"].pk},
        "leave:cancel": {"pk": world["application_b"].pk},
        "account": {"pk": world["account_b"].pk},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},  # an invalid link
        "leave:pdf": {"pk": world["application_b"].pk},
        "programs:talents": {"pk": world["registry"].pk},
        "programs:talent-select": {"pk": world["registry"].pk},  # POST only
        "programs:talent-remove": {"pk": world["registry"].pk, "teacher_pk": world["teacher_b"].pk},  # POST only
        "programs:showcase": {"pk": world["showcase"].pk},
        "programs:showcase-cancel": {
            "pk": world["showcase"].pk,
            "registration_pk": world["registration_b"].pk,
        },  # POST only
        "programs:showcase-signin": {"pk": world["showcase"].pk},
        "programs:showcase-edit": {"pk": world["showcase"].pk},
        "programs:reading-bid-new": {"activity_pk": world["reading"].pk},
        "programs:reading-bid": {"pk": world["bid_b"].pk},
        "programs:reading-bid-decide": {"pk": world["bid_b"].pk},  # POST only
        "programs:reading-bid-pdf": {"pk": world["bid_b"].pk},
    }
    if name in table:
        return table[name]
    if name.startswith("admin:"):
        return None  # filled from the admin's own registry below
    return {}


def admin_urls(world):
    """Every admin page: index, app lists, and each model's list, add, change, history, delete."""
    objects = {
        "portal.employee": world["secret"],
        "portal.agency": world["agency_b"],
        "programs.proposal": world["proposal_b"],
        "portal.importbatch": world["batch_b"],
        "leave.application": world["application_b"],
    }
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls += [reverse("admin:%s_%s_changelist" % info), reverse("admin:%s_%s_add" % info)]
        target = objects.get(model._meta.label_lower) or model.objects.first()
        if target is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[target.pk]))
    urls += [reverse("admin:app_list", args=[label]) for label in {m._meta.app_label for m in admin.site._registry}]
    # The admin's other pages: log-in, password change, autocomplete, and each model's
    # import, import confirmation and export pages (django-import-export).
    from django.contrib.contenttypes.models import ContentType

    urls.append(
        reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(world["secret"]).pk, world["secret"].pk])
    )
    for name, _pattern in walk(get_resolver().url_patterns):
        if name.startswith("admin:") and name != "admin:logout":  # log-out is POST-only
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                continue  # pages of one object, filled above
    return sorted(set(urls))


def test_every_url_as_every_role_leaks_nothing(world, client):
    urls = []
    for name, _pattern in walk(get_resolver().url_patterns):
        kwargs = params(name, world)
        if kwargs is None:
            continue
        if name in {"logout", "set_language"}:
            continue  # POST-only actions, exercised elsewhere
        urls.append(reverse(name, kwargs=kwargs))
    urls += admin_urls(world)
    checked, leaks = 0, []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for url in urls:
            response = client.get(url)
            checked += 1
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )  # downloads stream
            body = content.decode(errors="replace") if response.status_code == 200 else ""
            if role in ("hr", "coordinator_b"):
                assert response.status_code not in {500}, url
                continue
            if response.status_code in DENIED:
                continue
            assert response.status_code == 200, (role, url, response.status_code)
            if SECRET_NAME in body or SECRET_ID in body or SECRET_ID[:3] + "****" + SECRET_ID[-3:] in body:
                leaks.append((role, url))
    # Shown at the end of the run by conftest's pytest_terminal_summary (pytest hides print()).
    report(
        "access",
        f"access control: {len(urls)} URLs × {len(ROLES)} roles = {checked} requests checked, "
        f"leaks found: {len(leaks)}",
    )
    assert leaks == []
    assert checked == len(urls) * len(ROLES)


def _secret_b_shown(body: str) -> bool:
    return any(
        mark in body
        for mark in (GOV_B_SECRET_NAME, GOV_B_SECRET_ID, GOV_B_SECRET_ID[:3] + "****" + GOV_B_SECRET_ID[-3:])
    )


def test_hr_of_one_government_sees_nothing_of_another(world, client):
    """`hr_a` and `hr_b` (HR scoped to government A, to government B), every URL pointed at
    government B's objects: hr_a gets a refusal or a page without B's people; hr_b, whose
    government it is, never a 500, and B's person on some page."""
    gov_b = world["government_b"]
    urls = []
    for name, _pattern in walk(get_resolver().url_patterns):
        kwargs = params(name, gov_b)
        if kwargs is None or name in {"logout", "set_language"}:
            continue
        urls.append(reverse(name, kwargs=kwargs))
    urls += admin_urls(gov_b)
    checked, leaks, seen_by_b = 0, [], 0
    for role in ("hr_a", "hr_b"):
        client.force_login(gov_b["users"][role])
        for url in urls:
            response = client.get(url)
            checked += 1
            assert response.status_code != 500, (role, url)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            body = content.decode(errors="replace") if response.status_code == 200 else ""
            if role == "hr_b":
                seen_by_b += _secret_b_shown(body)
            elif response.status_code not in DENIED and _secret_b_shown(body):
                leaks.append(url)
    report(
        "access-governments",
        f"access control, HR of government A against government B's objects: {len(urls)} URLs "
        f"× 2 roles (hr_a, hr_b) = {checked} requests checked, leaks found: {len(leaks)}",
    )
    assert leaks == [], "\n".join(leaks)
    assert seen_by_b > 0


def test_hr_sees_agency_b_objects_unmasked_in_the_admin(world, client):
    client.force_login(world["users"]["hr"])
    page = client.get(reverse("admin:portal_employee_changelist"))
    assert SECRET_ID in page.content.decode()


@pytest.mark.parametrize("role, status", [("coordinator_a", 404), ("coordinator_b", 200), ("employee", 403)])
def test_proposal_of_another_agency_is_not_found(world, client, role, status):
    client.force_login(world["users"][role])
    assert client.get(reverse("programs:proposal", args=[world["proposal_b"].pk])).status_code == status
