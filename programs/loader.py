"""Load the source plans from fixtures/plans/*.yaml (idempotent: a second run changes nothing)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from courses.importers import ensure_courses, ensure_platforms
from courses.models import Bundle, BundleCourse, CourseList, CourseListEntry
from portal.models import Agency

from .checks import rule_problems
from .models import Activity, Plan, Session, TrainingClass

PLANS_DIR = Path(settings.BASE_DIR) / "fixtures" / "plans"
ACTIVITY_KEYS = {"slug", "kind", "name", "clause", "period", "participants", "description", "classes"}


class PlanFileError(ValueError):
    """A plan file that cannot be loaded; `messages` holds one Chinese sentence per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def plan_files() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.yaml"))


def read_plan_file(path: Path) -> dict:
    """One plan file (fixtures/plans/*.yaml) as its data, not yet checked (check_plan_data)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def plan_rules(data: dict) -> list[dict]:
    """A plan file's rules as `Plan.parameters["rules"]` stores them: JSON-safe, dates as ISO
    strings (2012-08-31). Each rule is a dict with its `code`, `kind`, `clause` and parameters."""
    return _plain(data.get("rules") or [])


def _date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _period(data: dict | None) -> tuple:
    data = data or {}
    return _date(data.get("start")), _date(data.get("end"))


def agency_named(name: str, parent: Agency | None = None) -> Agency:
    agency = Agency.objects.filter(name_key=Agency.key_for(name)).first()
    if agency is None:
        agency = Agency(name=name, parent=parent)
        agency.save()
    return agency


def _plain(value):
    """YAML dates and numbers as JSON-safe values for the parameters field."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def load_plan(data: dict) -> Plan:
    issuer = agency_named(data["issuer"])
    start, end = _period(data.get("period"))
    issued = data.get("issued") or {}
    coverage = data.get("coverage") or {}
    values = {
        "issuer_id": issuer.pk,
        "roc_year": data["roc_year"],
        "title": data["title"],
        "slogan": data.get("slogan") or "",
        "issued_on": _date(issued.get("date")),
        "reference": issued.get("reference") or "",
        "basis": data.get("basis") or [],
        "goals": data.get("goals") or [],
        "starts_on": start,
        "ends_on": end,
        "coverage_text": coverage.get("text") or "",
        "employment_types": coverage.get("employment_types") or [],
        "off_duty_definition": data.get("off_duty") or "",
        "kpis": _plain(data.get("kpis") or []),
        "parameters": {"rules": plan_rules(data), "coverage_scope": coverage.get("scope", "issuer")},
    }
    stored = Plan.objects.filter(slug=data["slug"]).values(*values).first()
    if stored and stored["parameters"].get("rules_edited"):
        # HR changed a rule on the rule page (a threshold, Hualien's buffet tiers): the file does
        # not take it back. The file's other fields still load.
        values["parameters"] = {
            **values["parameters"],
            "rules": stored["parameters"]["rules"],
            "rules_edited": stored["parameters"]["rules_edited"],
        }
    plan, _created = Plan.objects.update_or_create(slug=data["slug"], defaults=values)
    _audit_load(plan, stored, values)
    plan.excluded_agencies.set([agency_named(name, issuer) for name in coverage.get("exclude_agencies") or []])
    for position, item in enumerate(data.get("activities") or []):
        _load_activity(plan, position, item)
    for item in data.get("course_lists") or []:
        _load_course_list(plan, item)
    for item in data.get("bundles") or []:
        _load_bundle(plan, item)
    return plan


def _audit_load(plan: Plan, stored: dict | None, values: dict) -> None:
    """A plan (its rule parameters included) that the load creates or changes gets an audit entry."""
    from portal import audit

    changed = [k for k in values if stored is None or stored[k] != values[k]]
    if not changed:
        return
    audit.record(
        None,
        "plan_load",
        plan,
        f"{plan.slug}{audit.command_line('load_plans')}",
        before=None if stored is None else {k: stored[k] for k in changed},
        after={k: values[k] for k in changed},
    )


def _load_activity(plan: Plan, position: int, item: dict) -> None:
    start, end = _period(item.get("period"))
    activity, _created = Activity.objects.update_or_create(
        plan=plan,
        slug=item["slug"],
        defaults={
            "kind": item["kind"],
            "name": item["name"],
            "clause": item.get("clause") or "",
            "starts_on": start,
            "ends_on": end,
            "participants": item.get("participants") or "",
            "description": (item.get("description") or "").strip(),
            "position": position,
            "details": _plain({k: v for k, v in item.items() if k not in ACTIVITY_KEYS}),
        },
    )
    for entry in item.get("classes") or []:
        start, end = _period(entry.get("period"))
        training_class, _created = TrainingClass.objects.update_or_create(
            activity=activity,
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "eligibility": (entry.get("eligibility") or "").strip(),
                "conditions": entry.get("conditions") or {},
                "priority_groups": entry.get("priority_groups") or [],
                "planned_sessions": entry.get("planned_sessions") or 1,
                "days_per_session": entry.get("days_per_session") or 1,
                "hours_per_session": entry.get("hours_per_session"),
                "capacity_per_session": entry.get("capacity_per_session"),
                "venue": entry.get("venue") or "",
                "starts_on": start,
                "ends_on": end,
            },
        )
        for session in entry.get("sessions") or []:
            Session.objects.update_or_create(
                training_class=training_class,
                number=session["number"],
                defaults={
                    "starts_on": _date(session.get("start")),
                    "ends_on": _date(session.get("end")),
                    "venue": session.get("venue") or training_class.venue,
                    "capacity": session.get("capacity") or training_class.capacity_per_session,
                },
            )


def _courses(items: list[dict]) -> list[tuple[int, Decimal]]:
    platforms = ensure_platforms({c["platform"] for c in items if c.get("platform")})
    keyed = [
        (c["name"], platforms.get(c.get("platform")), Decimal(str(c["hours"])), c.get("category") or "") for c in items
    ]
    ids = ensure_courses(keyed)
    from courses.names import normalize_course_name

    return [(ids[(normalize_course_name(name), platform)], hours) for name, platform, hours, _c in keyed]


def _load_course_list(plan: Plan, item: dict) -> None:
    course_list, _created = CourseList.objects.update_or_create(
        plan=plan, slug=item["slug"], defaults={"name": item["name"]}
    )
    # An empty list in the plan file means "HR fills it": never wipe what HR imported.
    if item.get("courses"):
        entries = _courses(item["courses"])
        course_list.entries.exclude(course_id__in=[c for c, _h in entries]).delete()
        for course_id, hours in entries:
            CourseListEntry.objects.update_or_create(
                course_list=course_list, course_id=course_id, defaults={"hours": hours}
            )


def _load_bundle(plan: Plan, item: dict) -> None:
    bundle, _created = Bundle.objects.update_or_create(
        plan=plan,
        slug=item["slug"],
        defaults={
            "name": item["name"],
            "kind": item["kind"],
            "rank": item.get("rank") or "",
            "hours": Decimal(str(item["hours"])),
        },
    )
    entries = _courses(item.get("courses") or [])
    bundle.entries.exclude(course_id__in=[c for c, _h in entries]).delete()
    for course_id, hours in entries:
        BundleCourse.objects.update_or_create(bundle=bundle, course_id=course_id, defaults={"hours": hours})


def check_plan_data(data: dict, source: str = "") -> list[str]:
    """Every problem of one plan file's rules, in Chinese, each naming the plan, the rule and the field.

    The rules are checked against their kinds' schemas (registered by `incentives`) and against
    the file's own course lists and side bundles.
    """
    if not isinstance(data, dict) or not data.get("slug"):
        return [f"{source}：不是計畫檔（缺少代碼 slug）"]
    lists = {item.get("slug") for item in data.get("course_lists") or []}
    sides = {item.get("slug") for item in data.get("bundles") or [] if item.get("kind") == "side"}
    name = f"{data['slug']}「{data.get('title', '')}」"
    return rule_problems(name, _plain(data.get("rules") or []), lists, sides)


def load_plans(paths: list[Path] | None = None) -> list[Plan]:
    """Load the plan files (the shipped five by default); idempotent.

    Every file is checked first; raises PlanFileError with every problem and saves nothing when
    any rule does not fit its kind.
    """
    from courses.services import load_shipped_calendars

    documents = [(path, read_plan_file(path)) for path in (paths or plan_files())]
    problems = [message for path, data in documents for message in check_plan_data(data, path.name)]
    if problems:
        raise PlanFileError(problems)
    load_shipped_calendars()
    with transaction.atomic():
        return [load_plan(data) for _path, data in documents]
