import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEntry, Role
from programs import services
from programs.models import (
    CampNomination,
    CampQuota,
    ClassHistory,
    EmployeeTag,
    Nomination,
    Plan,
    Proposal,
    Session,
    TeamMember,
    TrainingClass,
)
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CampQuotaFactory,
    ClassHistoryFactory,
    ContestEntryFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def rad(db):
    government = AgencyFactory(name="示範縣政府")
    agency = AgencyFactory(name="示範縣政府人事處", parent=government)
    other = AgencyFactory(name="示範縣政府教育處", parent=government)
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="地方行政研習中心"), roc_year=104)
    activity = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    basic = TrainingClassFactory(
        activity=activity,
        slug="basic",
        name="自製數位教材基礎班",
        conditions={"excludes_attended": ["basic", "advanced"]},
        priority_groups=["yixing_participant"],
    )
    advanced = TrainingClassFactory(
        activity=activity,
        slug="advanced",
        name="自製數位教材進階班",
        conditions={"requires_attended": ["basic"]},
        priority_groups=["yixing_participant"],
    )
    unit = UnitFactory(agency=agency)
    staff = [EmployeeFactory(unit=unit, name=f"人員{i}") for i in range(4)]
    outsider = EmployeeFactory(unit=UnitFactory(agency=other), name="外機關")
    return {
        "government": government,
        "agency": agency,
        "other": other,
        "plan": plan,
        "activity": activity,
        "basic": SessionFactory(training_class=basic, number=1, capacity=2, agency_quotas={str(agency.pk): 3}),
        "advanced": SessionFactory(training_class=advanced, number=1, capacity=30),
        "staff": staff,
        "outsider": outsider,
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency]),
        "hr": UserFactory(role=Role.HR, is_staff=True),
    }


def ids(people):
    return [p.pk for p in people]


def test_nominate_refuses_with_a_reason_for_each_rule(rad):
    a, b, c, d = rad["staff"]
    ClassHistoryFactory(employee=b, class_slug="basic", class_name="自製數位教材基礎班")
    outcomes = services.nominate(rad["coordinator"], rad["basic"], ids([a, b]))
    assert [(o.employee.name, o.accepted, o.reason) for o in outcomes] == [
        ("人員0", True, ""),
        ("人員1", False, "曾參加「自製數位教材基礎班」，不符參加資格"),
    ]
    outcomes = services.nominate(rad["coordinator"], rad["advanced"], ids([a, b]))
    assert [(o.accepted, o.reason) for o in outcomes] == [(False, "須先參加「自製數位教材基礎班」"), (True, "")]
    again = services.nominate(rad["coordinator"], rad["basic"], ids([a]))
    assert [(o.accepted, o.reason) for o in again] == [(False, "已推薦過本期")]


def test_nominate_enforces_the_agency_quota(rad):
    outcomes = services.nominate(rad["coordinator"], rad["basic"], ids(rad["staff"]))
    assert [(o.accepted, o.reason) for o in outcomes] == [
        (True, ""),
        (True, ""),
        (True, ""),
        (False, "本機關名額已滿（3 名）"),
    ]


def test_nominate_staff_of_another_agency_is_forbidden_and_writes_nothing(rad):
    with pytest.raises(PermissionDenied):
        services.nominate(rad["coordinator"], rad["basic"], ids([rad["staff"][0], rad["outsider"]]))
    assert Nomination.objects.count() == 0


def test_confirm_places_follows_priority_up_to_capacity(rad):
    a, b, c, _d = rad["staff"]
    EmployeeTag.objects.create(employee=c, tag="yixing_participant")
    services.nominate(rad["coordinator"], rad["basic"], ids([a, b, c]))
    services.confirm_places(rad["hr"], rad["basic"])
    statuses = dict(Nomination.objects.values_list("employee__name", "status"))
    assert statuses == {"人員2": "confirmed", "人員0": "confirmed", "人員1": "refused"}
    assert Nomination.objects.get(employee=b).reason == "本期名額 2 名已滿（依優先順序錄取）"
    assert AuditEntry.objects.filter(action="confirmed").count() == 2


def test_confirm_places_is_for_hr_only(rad):
    with pytest.raises(PermissionDenied):
        services.confirm_places(rad["coordinator"], rad["basic"])


def test_attendance_becomes_history_for_the_next_prerequisite(rad):
    a = rad["staff"][0]
    services.nominate(rad["coordinator"], rad["basic"], ids([a]))
    services.confirm_places(rad["hr"], rad["basic"])
    services.record_attendance(rad["hr"], Nomination.objects.get(employee=a), attended=True)
    (outcome,) = services.nominate(rad["coordinator"], rad["advanced"], ids([a]))
    assert (outcome.accepted, outcome.reason) == (True, "")


@pytest.fixture
def camp(rad):
    activity = ActivityFactory(
        plan=rad["plan"],
        slug="english-camp",
        kind="english_camp",
        name="線上英語營",
        details={"quota_per_government": 2, "max_extra_per_government": 10, "circle_leaders": {"min": 1, "max": 3}},
    )
    return activity


def nominate_intermediate(user, camp, employee_ids, **options):
    """Nominate with every nominee's level stated as intermediate (中級), as a coordinator would."""
    return services.nominate_to_camp(
        user, camp, employee_ids, levels=dict.fromkeys(employee_ids, "intermediate"), **options
    )


def test_camp_quota_per_government(rad, camp):
    outcomes = nominate_intermediate(rad["coordinator"], camp, ids(rad["staff"][:3]), circle="A")
    assert [(o.accepted, o.reason) for o in outcomes] == [(True, ""), (True, ""), (False, "示範縣政府名額已滿（2 名）")]


def test_camp_circle_leaders_at_most_3_and_at_least_1(rad, camp):
    CampQuotaFactory(activity=camp, government=rad["government"], base=50)
    staff = [EmployeeFactory(unit=rad["staff"][0].unit) for _ in range(4)]
    outcomes = nominate_intermediate(rad["coordinator"], camp, ids(staff), circle="A", leader_ids=frozenset(ids(staff)))
    assert [(o.accepted, o.reason) for o in outcomes][-1] == (False, "每個英語圈圈長最多 3 人")
    nominate_intermediate(rad["coordinator"], camp, ids(rad["staff"][:1]), circle="B")
    assert services.circle_problems(camp) == ["英語圈「B」有 0 位圈長（應為 1–3 位）"]


def test_camp_reallocation_by_hr(rad, camp):
    other_government = AgencyFactory(name="另一縣政府")
    CampQuotaFactory(activity=camp, government=rad["government"], base=2, requested_extra=15)
    CampQuotaFactory(activity=camp, government=other_government, base=50)
    nominate_intermediate(rad["coordinator"], camp, ids(rad["staff"][:2]), circle="A")
    granted = services.reallocate_camp_places(rad["hr"], camp)
    assert granted == {rad["government"].pk: 10, other_government.pk: 0}
    assert CampQuota.objects.get(government=rad["government"]).total == 12


def test_proposal_draft_submit_select_and_rate(rad):
    activity = ActivityFactory(plan=rad["plan"], slug="yixing", kind="yixing", name="熠星方案")
    leader, member = rad["staff"][:2]
    proposal = Proposal(activity=activity, agency=rad["agency"], title="花蓮好學", leader=leader)
    services.save_proposal(rad["coordinator"], proposal, members=[member])
    with pytest.raises(ValidationError):
        services.submit_proposal(rad["coordinator"], proposal)
    proposal.fields = {f: "內容" for f in services.REQUIRED_PROPOSAL_FIELDS}
    services.save_proposal(rad["coordinator"], proposal)
    assert services.submit_proposal(rad["coordinator"], proposal).status == "submitted"
    services.select_proposal(rad["hr"], proposal, selected=True)
    team = services.rate_proposal(rad["hr"], proposal, "特優")
    assert sorted(TeamMember.objects.filter(team=team).values_list("employee__name", "role")) == [
        ("人員0", "主持人"),
        ("人員1", "成員"),
    ]


def test_renewal_proposal_skips_selection_but_waits_for_hr_to_confirm_it(rad):
    earlier_plan = PlanFactory(slug="rad-103", issuer=rad["plan"].issuer, roc_year=103, title="103計畫")
    earlier = ProposalFactory(
        activity=ActivityFactory(plan=earlier_plan, slug="yixing", kind="yixing", name="熠星方案"),
        agency=rad["agency"],
        title="原提案",
        status="selected",
        leader=rad["staff"][0],
    )
    activity = ActivityFactory(plan=rad["plan"], slug="yixing", kind="yixing", name="熠星方案")
    proposal = ProposalFactory(
        activity=activity,
        agency=rad["agency"],
        title="續辦",
        is_renewal=True,
        leader=rad["staff"][0],
        fields={f: "內容" for f in services.REQUIRED_PROPOSAL_FIELDS},
    )
    with pytest.raises(ValidationError) as error:
        services.submit_proposal(rad["coordinator"], proposal)
    assert error.value.messages == ["申請表尚有必填欄位未填寫：續辦之原提案"]
    proposal.renews = earlier
    services.save_proposal(rad["coordinator"], proposal)
    assert services.submit_proposal(rad["coordinator"], proposal).status == "submitted"
    with pytest.raises(PermissionDenied):
        services.confirm_renewal(rad["coordinator"], proposal)
    with pytest.raises(ValidationError):
        services.select_proposal(rad["hr"], proposal, selected=True)
    assert services.confirm_renewal(rad["hr"], proposal).status == "selected"


def test_contest_entry_has_at_most_2_credited_authors(rad):

    entry = ContestEntryFactory(plan=rad["plan"], title="微電影")
    with pytest.raises(ValidationError) as error:
        services.set_contest_authors(rad["hr"], entry, rad["staff"][:3])
    assert error.value.messages == ["每件作品至多 2 位作者。"]
    services.set_contest_authors(rad["hr"], entry, rad["staff"][:2])
    assert entry.authors.count() == 2


# DOMAIN.md Decision: spaces count, line breaks do not (tests/test_participation.py has the edges).
@pytest.mark.parametrize(
    "text, ok",
    [
        ("學" * 300, True),
        ("學" * 301, False),
        ("學 " * 150, True),
        ("學 " * 150 + "學", False),
        ("a" * 300 + "\n", True),
    ],
)
def test_reflection_at_most_300_characters(text, ok):
    from programs.models import validate_reflection_length

    if ok:
        validate_reflection_length(text)
    else:
        with pytest.raises(ValidationError) as error:
            validate_reflection_length(text)
        assert error.value.messages == ["心得最多 300 字（目前 301 字）。"]


@pytest.fixture
def two_governments(rad, settings):
    """Another government's plan (its own staff only) beside a central one (everyone's)."""
    settings.PORTAL_TODAY = "2015-06-01"
    import datetime as dt

    rad["plan"].parameters = {"coverage_scope": "all"}
    rad["plan"].save()
    elsewhere = PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101, title="臺南計畫")
    training = TrainingClassFactory(
        activity=ActivityFactory(plan=elsewhere, slug="classes", kind="training_class", name="研習班"),
        slug="t",
        name="臺南班",
    )
    own = PlanFactory(slug="own-104", issuer=rad["government"], roc_year=104, title="本府計畫")
    own_class = TrainingClassFactory(
        activity=ActivityFactory(plan=own, slug="classes", kind="training_class", name="研習班"),
        slug="o",
        name="本府班",
    )
    return {
        "elsewhere": SessionFactory(training_class=training, number=1),
        "camp": ActivityFactory(plan=elsewhere, slug="english-camp", kind="english_camp", name="臺南英語營"),
        "yixing": ActivityFactory(plan=elsewhere, slug="yixing", kind="yixing", name="臺南熠星"),
        "own": SessionFactory(training_class=own_class, number=1),
        "over": SessionFactory(
            training_class=own_class, number=2, starts_on=dt.date(2015, 3, 1), ends_on=dt.date(2015, 5, 31)
        ),
    }


def test_a_coordinator_works_only_in_plans_run_by_their_government(rad, two_governments, client):
    from django.urls import reverse

    client.force_login(rad["coordinator"])
    listed = {s.pk for s in client.get(reverse("programs:sessions")).context["sessions"]}
    # The central plan's and their own government's sessions; not another government's, nor one already over.
    assert listed == {rad["basic"].pk, rad["advanced"].pk, two_governments["own"].pk}
    assert client.get(reverse("programs:nominate", args=[two_governments["elsewhere"].pk])).status_code == 404
    assert (
        client.post(
            reverse("programs:nominate", args=[two_governments["elsewhere"].pk]), {"employees": ids(rad["staff"][:1])}
        ).status_code
        == 404
    )
    assert client.get(reverse("programs:camp", args=[two_governments["camp"].pk])).status_code == 404
    assert client.get(reverse("programs:proposal-new", args=[two_governments["yixing"].pk])).status_code == 404
    assert "新增申請（臺南計畫）" not in client.get(reverse("programs:proposals")).content.decode()
    assert "推薦英語營人員" not in client.get(reverse("programs:plan", args=["tainan-101"])).content.decode()
    assert Nomination.objects.count() == 0


def test_a_proposal_that_cannot_be_sent_yet_names_what_is_missing_and_stays_one_draft(rad, client, settings):
    from django.urls import reverse

    rad["plan"].parameters = {"coverage_scope": "all"}
    rad["plan"].save()
    yixing = ActivityFactory(plan=rad["plan"], slug="yixing", kind="yixing", name="熠星")
    client.force_login(rad["coordinator"])
    page = client.post(
        reverse("programs:proposal-new", args=[yixing.pk]),
        {"title": "一區一特色", "agency": rad["agency"].pk, "contact": "王小明", "submit": "1"},
        follow=True,
    )
    draft = Proposal.objects.get()
    assert page.redirect_chain[-1][0] == reverse("programs:proposal", args=[draft.pk])
    assert [str(m) for m in page.context["messages"]] == [
        "草稿已儲存，但還不能送出：申請表尚有必填欄位未填寫：電話、e-mail、目標、實施作法：策略、實施內容（含時程）、關鍵績效指標（KPI）、主持人"
    ]
    fields = {key: "內容" for key in ["contact", "phone", "email", "goals", "strategy", "schedule", "kpis"]}
    client.post(
        reverse("programs:proposal", args=[draft.pk]),
        {"title": "一區一特色", "agency": rad["agency"].pk, **fields, "leader": rad["staff"][0].pk, "submit": "1"},
    )
    assert list(Proposal.objects.values_list("status", flat=True)) == ["submitted"]
    shown = client.get(reverse("programs:proposal", args=[draft.pk])).content.decode()
    assert rad["agency"].name in shown


# -- RAD's class history is RAD's (issue 14, item 8; DOMAIN.md Decision) ------------------------


def test_a_local_advanced_class_neither_closes_nor_opens_rads_classes(rad):
    """A Tainan 進階班 attendee may join RAD's 基礎班 (本中心歷年辦理之… only) but not RAD's 進階班."""
    a, b, _c, _d = rad["staff"]
    tainan = AgencyFactory(name="臺南市政府")
    ClassHistoryFactory(employee=a, issuer=tainan, class_slug="advanced", class_name="自製數位教材暨行銷短片進階班")
    ClassHistoryFactory(employee=a, issuer=tainan, class_slug="basic", class_name="地方基礎班")
    ClassHistoryFactory(employee=b, issuer=rad["plan"].issuer, class_slug="advanced", class_name="自製數位教材進階班")
    outcomes = services.nominate(rad["coordinator"], rad["basic"], ids([a, b]))
    assert [(o.employee.name, o.accepted, o.reason) for o in outcomes] == [
        ("人員0", True, ""),
        ("人員1", False, "曾參加「自製數位教材進階班」，不符參加資格"),
    ]
    (outcome,) = services.nominate(rad["coordinator"], rad["advanced"], ids([a]))
    assert (outcome.accepted, outcome.reason) == (False, "須先參加「自製數位教材基礎班」")


def test_attendance_is_recorded_under_the_plans_issuer(rad):
    a = rad["staff"][0]
    nomination = Nomination.objects.create(session=rad["advanced"], employee=a, nominated_by=rad["coordinator"])
    services.record_attendance(rad["hr"], nomination, True)
    assert ClassHistory.objects.get(employee=a).issuer == rad["plan"].issuer


def test_it_staff_may_apply_for_the_app_class_without_the_advanced_class(rad):
    """RAD 柒、一、（三）: 參加人員以參加過自製數位教材進階班為限，另資訊人員亦可報名參加."""
    a, b, c, _d = rad["staff"]
    app = TrainingClassFactory(
        activity=rad["activity"],
        slug="app",
        name="新媒體製作與應用研習班(APP)",
        conditions={
            "requires_attended": ["advanced"],
            "requires_waived_for_roles": ["it_staff"],
            "roles_any": ["elearning_officer", "it_staff"],
        },
    )
    session = SessionFactory(training_class=app, number=1, capacity=30)
    EmployeeTag.objects.create(employee=a, tag="it_staff")
    EmployeeTag.objects.create(employee=b, tag="elearning_officer")
    ClassHistoryFactory(employee=c, issuer=rad["plan"].issuer, class_slug="advanced", class_name="自製數位教材進階班")
    outcomes = services.nominate(rad["coordinator"], session, ids([a, b, c]))
    assert [(o.employee.name, o.accepted, o.reason) for o in outcomes] == [
        ("人員0", True, ""),
        ("人員1", False, "須先參加「自製數位教材進階班」"),
        ("人員2", False, "須具備下列身分之一：數位學習承辦人、資訊人員"),
    ]


def test_the_shipped_app_class_waives_the_advanced_class_for_it_staff(db):
    from programs.loader import load_plans, plan_files

    (plan,) = load_plans([p for p in plan_files() if p.stem == "rad-104"])
    app = TrainingClass.objects.get(activity__plan=plan, slug="app")
    assert app.conditions["requires_waived_for_roles"] == ["it_staff"]


def test_seed_tainan_advanced_attendee_nominated_to_rads_basic_class_and_it_officer_to_app(db):
    """From the seed plans: attendance of Tainan's own 進階班 (臺南 101 伍、三、（三）) is kept under 臺南市政府
    and does not refuse RAD's 基礎班 (RAD 104 柒、一、（一）); an IT officer goes to RAD's APP class (柒、一、（三）)."""
    from programs.loader import load_plans, plan_files

    rad_plan, tainan_plan = load_plans([p for p in plan_files() if p.stem in ("rad-104", "tainan-101")])
    if rad_plan.slug != "rad-104":
        rad_plan, tainan_plan = tainan_plan, rad_plan
    agency = AgencyFactory(name="臺南市政府人事處", parent=tainan_plan.issuer)
    attendee, officer = (EmployeeFactory(unit=UnitFactory(agency=agency), name=n) for n in ("進階班學員", "資訊人員"))
    EmployeeTag.objects.create(employee=officer, tag="it_staff")
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[agency])
    hr = UserFactory(role=Role.HR, is_staff=True)
    local = Session.objects.filter(training_class__activity__plan=tainan_plan, training_class__slug="advanced").first()
    services.record_attendance(
        hr, Nomination.objects.create(session=local, employee=attendee, nominated_by=coordinator), True
    )
    assert ClassHistory.objects.get(employee=attendee).issuer == tainan_plan.issuer
    basic = Session.objects.filter(training_class__activity__plan=rad_plan, training_class__slug="basic").first()
    (outcome,) = services.nominate(coordinator, basic, [attendee.pk])
    assert (outcome.accepted, outcome.reason) == (True, "")
    app = Session.objects.filter(training_class__activity__plan=rad_plan, training_class__slug="app").first()
    outcomes = services.nominate(coordinator, app, [officer.pk, attendee.pk])
    assert [(o.accepted, o.reason) for o in outcomes] == [
        (True, ""),
        (False, "須先參加「自製數位教材進階班」；須具備下列身分之一：數位學習承辦人、資訊人員"),
    ]


def test_camp_levels_are_stated_and_above_intermediate_is_refused(rad, camp):
    CampQuotaFactory(activity=camp, government=rad["government"], base=50)
    staff = [EmployeeFactory(unit=rad["staff"][0].unit) for _ in range(4)]
    levels = {staff[0].pk: "elementary", staff[1].pk: "intermediate", staff[2].pk: "upper_intermediate"}
    outcomes = services.nominate_to_camp(rad["coordinator"], camp, ids(staff), circle="A", levels=levels)
    assert [(o.accepted, o.reason) for o in outcomes] == [
        (True, ""),
        (True, ""),
        (False, "英語程度為中高級，本營隊限中級以下"),
        (False, "請填寫英語程度"),
    ]
    assert sorted(CampNomination.objects.values_list("level", flat=True)) == ["elementary", "intermediate"]


def test_a_government_asks_for_extra_places_and_the_reallocation_answers_through_the_camp_page(rad, camp, client):
    """Three governments: A used all 2 and asks 10, B used 0 of 50 and asks nothing, C used 2 of 2 and asks 3.
    B's 50 unused places answer both requests in full: A 10 (the limit), C 3."""
    Plan.objects.filter(pk=camp.plan_id).update(
        parameters={"coverage_scope": "all"}
    )  # RAD's plan covers every government
    government_c = AgencyFactory(name="丙縣政府")
    coordinator_c = UserFactory(
        role=Role.COORDINATOR, agencies=[AgencyFactory(name="丙縣政府教育處", parent=government_c)]
    )
    government_b = AgencyFactory(name="乙縣政府")
    CampQuotaFactory(activity=camp, government=government_b, base=50)
    CampQuotaFactory(activity=camp, government=government_c, base=2)
    nominate_intermediate(rad["coordinator"], camp, ids(rad["staff"][:2]), circle="A")
    url = reverse("programs:camp", args=[camp.pk])
    client.force_login(rad["coordinator"])
    response = client.post(
        url, {"action": "request_extra", "government": rad["government"].pk, "count": "11"}, follow=True
    )
    assert "增額申請須為 0 到 10 名" in response.content.decode()
    client.post(url, {"action": "request_extra", "government": rad["government"].pk, "count": "10"})
    # A coordinator cannot ask for another government.
    assert client.post(url, {"action": "request_extra", "government": government_c.pk, "count": "3"}).status_code == 404
    client.force_login(coordinator_c)
    client.post(url, {"action": "request_extra", "government": government_c.pk, "count": "3"})
    assert dict(CampQuota.objects.values_list("government__name", "requested_extra")) == {
        rad["government"].name: 10,
        "乙縣政府": 0,
        "丙縣政府": 3,
    }
    # Only HR of the plan's issuer reallocates.
    client.post(url, {"action": "reallocate"})
    assert not CampQuota.objects.filter(granted_extra__gt=0).exists()
    client.force_login(rad["hr"])
    response = client.post(url, {"action": "reallocate"}, follow=True)
    assert "增額共 13 名" in response.content.decode()
    assert dict(CampQuota.objects.values_list("government__name", "granted_extra")) == {
        rad["government"].name: 10,
        "乙縣政府": 0,
        "丙縣政府": 3,
    }
    assert CampQuota.objects.get(government=rad["government"]).total == 12


def test_nomination_page_searches_filters_and_shows_eligibility_and_places_before_submitting(rad, client):
    a, b, c, d = rad["staff"]
    ClassHistoryFactory(employee=b, class_slug="basic", class_name="自製數位教材基礎班")
    other_unit = UnitFactory(agency=rad["agency"], name="資訊室")
    EmployeeFactory(unit=other_unit, name="資訊人員甲")
    services.nominate(rad["coordinator"], rad["basic"], [c.pk])
    rad["plan"].parameters = {"coverage_scope": "all"}  # RAD's classes are open to every government
    rad["plan"].save()
    client.force_login(rad["coordinator"])
    url = f"/programs/sessions/{rad['basic'].pk}/nominate/"
    page = client.get(url)
    rows = {e.name: (s.eligible, s.reason) for e, s in page.context["rows"]}
    assert rows == {
        "人員0": (True, ""),
        "人員1": (False, "曾參加「自製數位教材基礎班」，不符參加資格"),
        "人員2": (False, "已推薦過本期"),
        "人員3": (True, ""),
        "資訊人員甲": (True, ""),
    }
    html = page.content.decode()
    assert "本期尚餘 1 個名額（共 2 名）。 示範縣政府人事處：機關名額 3 名，尚餘 2 名。" in html
    assert "列出 5 人，其中 3 人符合參加資格。" in html
    assert [e.name for e, _s in client.get(url, {"q": "人員1"}).context["rows"]] == ["人員1"]
    assert [e.name for e, _s in client.get(url, {"unit": other_unit.pk}).context["rows"]] == ["資訊人員甲"]
    assert "沒有符合搜尋條件的人員。" in client.get(url, {"q": "無此人"}).content.decode()
    # Set-based: the page's queries do not grow with the people listed.
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    EmployeeFactory.create_batch(6, unit=other_unit)
    with CaptureQueriesContext(connection) as after:
        assert len(client.get(url).context["rows"]) == 11
    assert len(after) == len(before)
