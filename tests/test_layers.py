"""Issue 16: access decided in portal.access, apps registered through AppConfig.ready, and
the import caches that live no longer than their import."""

import pytest
from django.http import Http404
from django.urls import reverse

from portal import access
from portal.imports.base import Importer
from portal.imports.columns import NationalIdColumn
from portal.models import Role
from portal.registry import DOCUMENT_KINDS, IMPORTERS, home_panels
from programs.models import Plan
from tests.factories import AgencyFactory, EmployeeFactory, PlanFactory, UnitFactory, UserFactory


@pytest.fixture
def two_governments(db):
    city_a, city_b = AgencyFactory(name="甲市政府"), AgencyFactory(name="乙縣政府")
    bureau_a = AgencyFactory(name="甲市衛生局", parent=city_a)
    unit_a = UnitFactory(agency=bureau_a)
    person_a = EmployeeFactory(unit=unit_a)
    head_a = UserFactory(role=Role.SUPERVISOR)
    head_a.headed_units.set([unit_a])
    return {
        "city_a": city_a,
        "city_b": city_b,
        "bureau_a": bureau_a,
        "unit_a": unit_a,
        "person_a": person_a,
        "plan_a": PlanFactory(slug="a-104", issuer=city_a, roc_year=104, title="甲市計畫"),
        "plan_b": PlanFactory(slug="b-104", issuer=city_b, roc_year=104, title="乙縣計畫"),
        "hr_a": UserFactory(role=Role.HR, agencies=[city_a]),
        "hr_all": UserFactory(role=Role.HR),
        "coordinator_a": UserFactory(role=Role.COORDINATOR, agencies=[bureau_a]),
        "head_a": head_a,
        "employee_b": UserFactory(role=Role.EMPLOYEE),
    }


def test_predicates_compose(two_governments):
    w = two_governments
    assert access.is_hr_of(w["hr_a"], w["city_a"]) and not access.is_hr_of(w["hr_a"], w["city_b"])
    assert access.is_hr_of(w["hr_all"], w["city_b"])
    assert not access.is_hr_of(w["coordinator_a"], w["city_a"])
    assert access.coordinates(w["coordinator_a"], w["bureau_a"]) and not access.coordinates(
        w["coordinator_a"], w["city_b"]
    )
    assert access.heads(w["head_a"], w["unit_a"]) and not access.heads(w["coordinator_a"], w["unit_a"])
    for key in ("hr_a", "hr_all", "coordinator_a", "head_a"):
        assert access.may_see_employee(w[key], w["person_a"]), key
    assert not access.may_see_employee(w["employee_b"], w["person_a"])


def test_the_fetch_and_check_helper_answers_404_outside_the_scope(two_governments):
    w = two_governments
    assert access.get_visible_or_404(w["hr_a"], Plan, slug="a-104") == w["plan_a"]
    with pytest.raises(Http404):
        access.get_visible_or_404(w["hr_a"], Plan, slug="b-104")
    with pytest.raises(Http404):
        access.get_visible_or_404(w["coordinator_a"], Plan, slug="b-104")
    assert access.get_visible_or_404(w["hr_all"], Plan, slug="b-104") == w["plan_b"]


@pytest.mark.parametrize("name", ["staff", "kpi", "roster", "tally"])
def test_the_incentives_plan_pages_check_the_plans_government(two_governments, client, name):
    w = two_governments
    client.force_login(w["hr_a"])
    assert client.get(reverse(f"incentives:{name}", args=["b-104"])).status_code == 404
    if name != "tally":  # a plan without a tally-sheet rule has no tally sheet (404) for anyone
        assert client.get(reverse(f"incentives:{name}", args=["a-104"])).status_code == 200
    client.force_login(w["coordinator_a"])
    # The KPI dashboard is HR's (403 for a coordinator, whichever plan).
    assert client.get(reverse(f"incentives:{name}", args=["b-104"])).status_code in (403, 404)


def test_apps_register_what_the_base_lists(db):
    assert {"roster", "records", "certificates"} <= IMPORTERS.keys()
    assert "roster" in DOCUMENT_KINDS
    assert "plans" in home_panels(UserFactory(role=Role.HR))


def test_column_caches_live_as_long_as_their_import(db):
    """Nothing personal outlives its batch: a column keeps no cleaned IDs between imports."""

    class Ids(Importer):
        columns = [NationalIdColumn("身分證字號")]

        def apply(self, rows):
            raise AssertionError("not reached in this test")

    column = Ids.columns[0]
    list(Ids()._clean_chunks(_table([["A123456789"]]), {column.key: 0}, lambda percent: None))
    assert not any(isinstance(value, dict) and value for value in vars(column).values())


def _table(rows):
    from types import SimpleNamespace

    return SimpleNamespace(total=len(rows), rows=[(number, cells) for number, cells in enumerate(rows, start=2)])


def test_the_base_names_no_app_code_by_string():
    """lint-imports sees imports; this sees dotted strings (import_string, include) naming an
    app's code in portal's base. The project modules on top (URLs, settings, demo) may."""
    import re
    from pathlib import Path

    base = Path(__file__).resolve().parent.parent / "portal"
    on_top = {"urls.py", "settings.py", "wsgi.py", "celery.py"}
    naming = re.compile(r"""["'](programs|courses|incentives|leave)\.[a-z_]+\.[A-Za-z_]+""")
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for path in sorted(base.rglob("*.py"))
        if path.name not in on_top and "demo" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if naming.search(line)
    ]
    assert offenders == []
