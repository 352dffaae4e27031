"""The registry of rule kinds: every shipped plan fits its schemas, and each kind of bad parameter
gives one Chinese error naming the plan, the rule and the field, with nothing saved (issue 14)."""

import ast
import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from courses.models import Course, CourseList, CourseListEntry
from incentives import kinds
from incentives.evaluation import check_plan_rules, evaluate
from incentives.models import RuleVersion
from portal.models import AuditEntry, Role
from programs.loader import PlanFileError, load_plans, plan_files
from programs.models import Plan
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    LearningRecordFactory,
    UnitFactory,
    UserFactory,
)

SHIPPED = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in plan_files()}


def shipped_rule(kind: str) -> tuple[str, dict]:
    """The first shipped rule of a kind with tiers where it has any, with its plan's slug: every kind has one."""
    for slug, data in sorted(SHIPPED.items(), key=lambda item: item[0] == "hualien-106"):
        for rule in data.get("rules") or []:
            if rule["kind"] == kind:
                return slug, rule
    raise AssertionError(f"no shipped plan uses {kind}")


def test_every_kind_in_the_registry_is_used_by_a_shipped_plan_and_every_shipped_rule_has_a_kind():
    used = {rule["kind"] for data in SHIPPED.values() for rule in data.get("rules") or []}
    assert used == set(kinds.KINDS)
    assert kinds.LEAVE_KINDS == {"leave_offduty_list", "leave_bundles"}


@pytest.mark.django_db
def test_every_shipped_plan_loads_through_the_schema():
    plans = load_plans()
    assert sorted(p.slug for p in plans) == sorted(data["slug"] for data in SHIPPED.values())
    for plan in plans:
        assert check_plan_rules(plan) == plan.parameters.get("rules", [])


def _leaf_paths(schema, value, path=()):
    """Every (path, Param) a rule's value holds, to break one at a time."""
    from incentives.schema import Group, ListOf, MapOf, Param

    if isinstance(schema, Param):
        yield path, schema
    elif isinstance(schema, Group) and isinstance(value, dict):
        for key, child in schema.fields.items():
            if key in value:
                yield from _leaf_paths(child, value[key], path + (key,))
    elif isinstance(schema, ListOf) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(schema.item, item, path + (index,))
    elif isinstance(schema, MapOf) and isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(schema.item, item, path + (key,))


def _set(rule, path, value):
    target = rule
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _messages(slug, rules):
    data = SHIPPED[slug]
    refs = kinds.PlanRefs(
        {c["slug"] for c in data.get("course_lists") or []},
        {b["slug"] for b in data.get("bundles") or [] if b["kind"] == "side"},
    )
    from programs.loader import _plain

    return kinds.rule_messages(f"{slug}「{data['title']}」", _plain(rules), refs)


WRONG_TYPE = {"integer": "三", "number": "很多", "date": "103年底", "boolean": "是", "choice": "獎金", "text": 12}


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_each_kind_of_bad_parameter_gives_a_chinese_error_naming_plan_rule_and_field(kind):
    slug, good = shipped_rule(kind)
    assert _messages(slug, [good]) == []
    code = good["code"]
    # A misspelt key (mni for min, or any key the kind does not have).
    typo = copy.deepcopy(good)
    typo["mni"] = 1
    (message,) = _messages(slug, [typo])
    assert slug in message and f"規則 {code}" in message and "不認得的參數「mni」" in message
    # An unknown kind.
    unknown = {**copy.deepcopy(good), "kind": "threshold_teirs"}
    (message,) = _messages(slug, [unknown])
    assert f"規則 {code}" in message and "不認得的規則類型「threshold_teirs」" in message
    # Each leaf of the shipped rule, one at a time, with a value of the wrong type.
    kind_schema = kinds.KINDS[kind].params
    for path, param in _leaf_paths(kind_schema, good):
        if path[0] in ("code", "kind"):
            continue
        broken = copy.deepcopy(good)
        _set(broken, path, WRONG_TYPE[param.type])
        found = _messages(slug, [broken])
        assert len(found) == 1, (path, found)
        assert f"規則 {code}" in found[0] and str(param.label) in found[0] and slug in found[0], found[0]
    # Each required parameter left out.
    for key, child in kind_schema.fields.items():
        if getattr(child, "required", False) and key not in ("code", "kind") and key in good:
            missing = {k: v for k, v in copy.deepcopy(good).items() if k != key}
            found = _messages(slug, [missing])
            assert any("必須填寫" in m and str(child.label) in m for m in found), (key, found)


def test_a_misspelt_metric_and_min_written_as_mni_are_refused_not_counted_as_zero():
    slug, good = shipped_rule("threshold_tiers")
    rule = copy.deepcopy(good)
    condition = rule["tiers"][0]["any_of"][0]["all_of"][0]
    condition["metric"] = "forum_post"
    (message,) = _messages(slug, [rule])
    assert "指標" in message and "應為下列之一" in message
    rule = copy.deepcopy(good)
    condition = rule["tiers"][0]["any_of"][0]["all_of"][0]
    condition["mni"] = condition.pop("min")
    messages = _messages(slug, [rule])
    assert any("不認得的參數「mni」" in m for m in messages)
    assert any("須填寫門檻（以上）或門檻（超過）" in m for m in messages)


def test_a_rule_naming_a_course_list_or_side_bundle_the_plan_lacks_is_refused():
    slug, good = shipped_rule("leave_bundles")
    rule = copy.deepcopy(good)
    rule["grants"][0]["side"] = "side-lite"
    (message,) = _messages(slug, [rule])
    assert "計畫沒有代碼為「side-lite」的副餐" in message
    slug, good = shipped_rule("leave_offduty_list")
    (message,) = _messages(slug, [{**good, "list": "policy"}])
    assert "計畫沒有代碼為「policy」的課程清單" in message


@pytest.mark.django_db
def test_load_plans_with_a_bad_rule_saves_nothing_and_says_where(tmp_path, capsys):
    data = copy.deepcopy(SHIPPED["tainan-101"])
    data["rules"][1]["tiers"][0]["any_of"][0]["all_of"][0]["mni"] = 200
    bad = tmp_path / "tainan-101.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    good = Path(settings.BASE_DIR) / "fixtures" / "plans" / "taoyuan-98.yaml"
    with pytest.raises(PlanFileError):
        load_plans([good, bad])
    assert not Plan.objects.exists()
    with pytest.raises(CommandError, match="未載入任何計畫"):
        call_command("load_plans", str(good), str(bad))
    err = capsys.readouterr().err
    assert "tainan-101" in err and "規則 forum-posts（柒、一、（二））" in err and "不認得的參數「mni」" in err
    assert not Plan.objects.exists()


@pytest.fixture
def hualien(db):
    load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / "hualien-106.yaml"])
    plan = Plan.objects.get(slug="hualien-106")
    hr = UserFactory(role=Role.HR, is_staff=True)
    return plan, hr


def _form_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False):
            continue
        data[name] = (
            "on"
            if value is True
            else form.fields[name].prepare_value(value)
            if hasattr(form.fields[name], "prepare_value")
            else value
        )
    return data


def test_hr_fills_in_hualiens_buffet_tiers_in_a_form_and_the_reward_follows(hualien, client):
    plan, hr = hualien
    buffet = CourseList.objects.get(plan=plan, slug="buffet-courses")
    for index in range(3):
        CourseListEntry.objects.create(
            course_list=buffet, course=CourseFactory(name=f"自助餐課程{index}", hours=2), hours=2
        )
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="花蓮縣政府教育處", parent=plan.issuer)))
    for index in range(2):
        course = Course.objects.get(name=f"自助餐課程{index}")
        LearningRecordFactory(
            employee=employee,
            course_name=course.name,
            course_key=course.name_key,
            hours=2,
            completed_on=dt.date(2017, 9, 30 - index),
        )
    client.force_login(hr)
    url = reverse("incentives:rule-edit", args=[plan.slug, "buffet"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "清單課程完成門數" in html and "級距" in html and '"tiers"' not in html
    assert "{" not in page.context["form"]["tiers.0.any_of.0.all_of.0.min"].label
    data = _form_data(client, url)
    data.update(
        {
            "tiers.0.award": "commendation",
            "tiers.0.count": "1",
            "tiers.0.any_of.0.all_of.0.metric": "list_courses",
            "tiers.0.any_of.0.all_of.0.min": "2",
        }
    )
    before = RuleVersion.objects.filter(plan=plan).count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    plan.refresh_from_db()
    rule = next(r for r in plan.parameters["rules"] if r["code"] == "buffet")
    assert rule["tiers"] == [
        {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "list_courses", "min": 2}]}]}
    ]
    assert rule["deadline"] == "2017-09-30" and rule["list"] == "buffet-courses"
    assert RuleVersion.objects.filter(plan=plan).count() == before + 1
    assert AuditEntry.objects.filter(action="rule_change", actor=hr).count() == 1
    (result,) = evaluate(plan, dt.date(2017, 12, 31), employees=type(employee).objects.filter(pk=employee.pk))
    assert [(a.rule, a.award, a.count) for a in result.awards] == [("buffet", "commendation", 1)]
    assert "清單課程完成門數 2 門 ≥ 2 門" in result.awards[0].text
    # A threshold change makes a new version again; saving unchanged makes none.
    data = _form_data(client, url)
    client.post(url, data)
    assert RuleVersion.objects.filter(plan=plan).count() == before + 1
    data["tiers.0.any_of.0.all_of.0.min"] = "3"
    client.post(url, data)
    assert RuleVersion.objects.filter(plan=plan).count() == before + 2
    # Loading the plan files again keeps what HR set.
    load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / "hualien-106.yaml"])
    plan.refresh_from_db()
    assert (
        next(r for r in plan.parameters["rules"] if r["code"] == "buffet")["tiers"][0]["any_of"][0]["all_of"][0]["min"]
        == 3
    )


def test_a_bad_value_in_the_rule_form_is_refused_on_its_field_and_nothing_is_saved(hualien, client):
    plan, hr = hualien
    client.force_login(hr)
    url = reverse("incentives:rule-edit", args=[plan.slug, "english"])
    stored = copy.deepcopy(plan.parameters)
    data = _form_data(client, url)
    data["tiers.0.count"] = "0"  # below the minimum
    data["tiers.1.award"] = "medal"  # not an award
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "tiers.0.count" in errors and "tiers.1.award" in errors
    # A tier without an award, filled only in part, is named on its field too.
    data = _form_data(client, url)
    data["tiers.2.count"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200 and "必須填寫" in str(response.context["form"].errors)
    plan.refresh_from_db()
    assert plan.parameters == stored and not AuditEntry.objects.filter(action="rule_change").exists()


def test_only_hr_of_the_plans_government_reaches_the_rule_pages(hualien, client):
    plan, _hr = hualien
    url = reverse("incentives:rule-edit", args=[plan.slug, "buffet"])
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    other = UserFactory(role=Role.HR, is_staff=True)
    other.agencies.set([AgencyFactory(name="臺南市政府")])
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("incentives:rules", args=[plan.slug])).status_code == 404


def test_a_plan_stored_with_bad_parameters_never_crashes_a_page(db, client):
    """A plan written before the checks (or straight into the database): every page says what is wrong."""
    load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / "tainan-101.yaml"])
    plan = Plan.objects.get(slug="tainan-101")
    rules = copy.deepcopy(plan.parameters["rules"])
    rules[1]["tiers"][0]["any_of"][0]["all_of"][0]["mni"] = rules[1]["tiers"][0]["any_of"][0]["all_of"][0].pop("min")
    Plan.objects.filter(pk=plan.pk).update(parameters={**plan.parameters, "rules": rules})
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=plan.issuer)))
    hr = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    client.force_login(hr)
    for name in ("staff", "kpi", "roster", "tally", "rules"):
        response = client.get(reverse(f"incentives:{name}", args=[plan.slug]))
        assert response.status_code in (200, 409), (name, response.status_code)
        if response.status_code == 409:
            assert (
                "規則 forum-posts" in response.content.decode() and "不認得的參數「mni」" in response.content.decode()
            )
    assert client.get(reverse("admin:programs_plan_change", args=[plan.pk])).status_code == 200
    for name in ("programs:plan", "programs:plan-pdf"):
        assert client.get(reverse(name, args=[plan.slug])).status_code == 200
    assert client.get(reverse("incentives:decisions"), {"plan": plan.pk}).status_code in (200, 409)
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=employee))
    page = client.get(reverse("incentives:me"))
    assert page.status_code == 200 and "不認得的參數「mni」" in page.content.decode()
    with pytest.raises(CommandError):
        call_command("evaluate", plan.slug)
    with pytest.raises(CommandError):
        call_command("grant_leave", plan.slug)


def test_incentives_never_imports_leave():
    """The rules module computes commendations and leave hours; `leave` builds on it, never the reverse."""
    found = []
    for path in Path(settings.BASE_DIR, "incentives").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n == "leave" or n.startswith("leave.")]
    assert found == []
