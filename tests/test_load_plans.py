import re
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.management import call_command

from courses.models import Bundle, BundleCourse, Course, CourseList
from programs.models import Activity, Plan, Session, TrainingClass
from tests.factories import CourseFactory
from tests.importing import SHARED

MODELS = [Plan, Activity, TrainingClass, Session, CourseList, Bundle, BundleCourse, Course]


def snapshot():
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in MODELS}


@pytest.mark.django_db
def test_load_plans_twice_gives_the_same_database():
    call_command("load_plans", stdout=open("/dev/null", "w"))
    first = snapshot()
    call_command("load_plans", stdout=open("/dev/null", "w"))
    assert snapshot() == first
    assert sorted(Plan.objects.values_list("slug", flat=True)) == sorted(
        ["hualien-106", "kaohsiung-103", "rad-104", "taoyuan-98", "tainan-101"]
    )


def seed_bundle_rows():
    """Every (course, hours) pair of the Kaohsiung seed's bundle tables, read straight from the text."""
    lines = [
        line.strip()
        for line in (SHARED / "seeds" / "003_610b5e38cbe57008.txt").read_text(encoding="utf-8").splitlines()
    ]
    start, end = lines.index("簡任主餐"), next(i for i, line in enumerate(lines) if line.startswith("（三）獎勵措施"))
    tokens = [line for line in lines[start:end] if line]
    rows = []
    for i, token in enumerate(tokens):
        if (
            re.fullmatch(r"\d+", token)
            and not tokens[i - 1].endswith("小時")
            and tokens[i - 1] not in ("港都e學苑", "e學中心")
        ):
            rows.append((tokens[i - 1], Decimal(token)))
    return rows


@pytest.mark.django_db
def test_kaohsiung_bundles_match_the_seed_tables():
    call_command("load_plans", stdout=open("/dev/null", "w"))
    bundles = Bundle.objects.filter(plan__slug="kaohsiung-103").order_by("kind", "hours", "id")
    assert [(b.name, b.hours) for b in bundles] == [
        ("簡任主餐", 10),
        ("薦任主餐", 10),
        ("委任主餐", 10),
        ("窈窕精緻餐", 10),
        ("幸福嚴選餐", 20),
        ("豪華主廚餐", 30),
    ]
    loaded = []
    for slug in ["main-senior", "main-junior", "main-elementary", "side-light", "side-happy", "side-deluxe"]:
        bundle = Bundle.objects.get(plan__slug="kaohsiung-103", slug=slug)
        entries = list(bundle.entries.select_related("course").order_by("id"))
        assert sum(e.hours for e in entries) == bundle.hours
        loaded += [(e.course.name, e.hours) for e in entries]
    assert loaded == seed_bundle_rows()
    # Bundles share courses: one course row, several bundle entries.
    shared = Course.objects.get(name="行政中立理論與實務")
    assert sorted(shared.bundlecourse_set.values_list("bundle__slug", flat=True)) == [
        "side-deluxe",
        "side-happy",
        "side-light",
    ]


@pytest.mark.django_db
def test_course_lists_of_the_contract_exist_and_hr_imports_are_kept():
    call_command("load_plans", stdout=open("/dev/null", "w"))
    assert sorted(CourseList.objects.values_list("plan__slug", "slug")) == [
        ("hualien-106", "buffet-courses"),
        ("kaohsiung-103", "seasonal-reading"),
        ("kaohsiung-103", "seasonal-reading-autumn"),
        ("kaohsiung-103", "seasonal-reading-spring"),
        ("kaohsiung-103", "seasonal-reading-summer"),
        ("kaohsiung-103", "seasonal-reading-winter"),
        ("tainan-101", "policy-courses"),
    ]
    policy = CourseList.objects.get(slug="policy-courses")
    course = CourseFactory(name="國土計畫概論", hours=2)
    policy.entries.create(course=course, hours=2)
    call_command("load_plans", stdout=open("/dev/null", "w"))
    assert policy.entries.count() == 1


@pytest.mark.django_db
def test_rad_104_classes_sessions_and_issuers():
    call_command("load_plans", stdout=open("/dev/null", "w"))
    classes = TrainingClass.objects.filter(activity__plan__slug="rad-104").order_by("id")
    assert [(c.name, c.planned_sessions, c.days_per_session, c.sessions.count()) for c in classes] == [
        ("自製數位教材基礎班", 4, 6, 4),
        ("自製數位教材進階班", 2, 3, 2),
        ("新媒體製作與應用研習班(APP)", 2, 5, 2),
        ("數位開放資源推廣研習班", 1, 1, 1),
        ("公務行銷工具運用研習班(微電影、懶人包)", 6, 2, 6),
        ("社群論壇經營研習班", 2, 1, 2),
    ]
    assert sorted(Plan.objects.values_list("issuer__name", flat=True)) == sorted(
        ["行政院人事行政總處地方行政研習中心", "花蓮縣政府", "臺南市政府", "高雄市政府", "桃園縣政府"]
    )
    assert list(Plan.objects.get(slug="hualien-106").excluded_agencies.values_list("name", flat=True)) == [
        "花蓮縣警察局"
    ]


@pytest.mark.django_db
def test_copy_plan_to_the_next_year_moves_every_date():
    import datetime as dt

    from portal.models import Role
    from programs.services import copy_plan
    from tests.factories import UserFactory

    call_command("load_plans", stdout=open("/dev/null", "w"))
    hr = UserFactory(role=Role.HR, is_staff=True)
    copy = copy_plan(hr, Plan.objects.get(slug="kaohsiung-103"), "kaohsiung-104")
    assert (copy.roc_year, copy.title, copy.starts_on, copy.ends_on) == (
        104,
        "高雄市政府104年度推動數位學習實施計畫",
        dt.date(2015, 1, 1),
        dt.date(2015, 12, 31),
    )
    rules = {r["code"]: r for r in copy.parameters["rules"]}
    assert rules["bundle-reward"]["deadline"] == "2015-08-31"
    assert rules["bundle-leave"]["year_window"] == {"start": "2015-01-01", "end": "2015-12-31"}
    assert [(b.slug, b.entries.count()) for b in Bundle.objects.filter(plan=copy).order_by("id")] == [
        (b.slug, b.entries.count()) for b in Bundle.objects.filter(plan__slug="kaohsiung-103").order_by("id")
    ]
    rad = copy_plan(hr, Plan.objects.get(slug="rad-104"), "rad-105")
    basic = (
        Session.objects.filter(training_class__activity__plan=rad, training_class__slug="app")
        .order_by("number")
        .first()
    )
    assert (basic.starts_on, basic.ends_on) == (dt.date(2016, 1, 19), dt.date(2016, 1, 23))
    assert Plan.objects.get(slug="kaohsiung-103").parameters["rules"][0]["deadline"] == "2014-08-31"
