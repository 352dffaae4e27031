"""Award decisions: saved from an evaluation, requested, approved, issued, or rejected."""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.models import Employee
from portal.permissions import is_hr
from programs.models import Plan

from .evaluation import evaluate
from .models import Decision, RuleVersion


def tally_sheet_rule(plan: Plan) -> dict | None:
    """The rule whose requests go with a tally sheet (Tainan 附件1), if the plan has one."""
    return next((r for r in plan.parameters.get("rules", []) if r.get("tally_sheet")), None)


def current_version(plan: Plan) -> RuleVersion:
    """The version holding the plan's rules as they are now; a change makes a new one."""
    rules = plan.parameters.get("rules", [])
    latest = plan.rule_versions.order_by("-number").first()
    if latest and latest.rules == rules:
        return latest
    return RuleVersion.objects.create(plan=plan, number=(latest.number + 1) if latest else 1, rules=rules)


@transaction.atomic
def save_evaluation(user, plan: Plan, as_of: dt.date | None = None, employees=None) -> dict[str, int]:
    """Store each award as an eligible decision. Decisions already requested or further stay as they are."""
    if not is_hr(user):
        raise PermissionDenied
    return _save(user, plan, as_of, employees)


@transaction.atomic
def file_requests(user, plan: Plan, employee_ids: list[int], as_of: dt.date | None = None) -> list[Decision]:
    """A coordinator files the requests of the chosen staff at once: their eligible awards become requested."""
    from .facts import covered_employees

    employees = covered_employees(plan).filter(pk__in=employee_ids) & Employee.objects.visible_to(user)
    if employees.count() != len(set(employee_ids)):
        raise PermissionDenied
    _save(user, plan, as_of, employees)
    eligible = list(Decision.objects.filter(plan=plan, employee__in=employees, status=Decision.Status.ELIGIBLE))
    # Where the plan asks for a tally sheet (Tainan 附件1), the request says so and HR checks it against the sheet.
    sheet_rule = tally_sheet_rule(plan)
    for decision in eligible:
        if sheet_rule and decision.rule_code == sheet_rule["code"]:
            decision.facts = {**decision.facts, "tally_sheet": sheet_rule["tally_sheet"]}
            decision.save(update_fields=["facts"])
    return request(user, eligible)


def _save(user, plan: Plan, as_of, employees) -> dict[str, int]:
    version = current_version(plan)
    existing = {(d.employee_id, d.rule_code): d for d in Decision.objects.filter(plan=plan).select_for_update(of=("self",))}
    created, updated, kept = [], [], 0
    for result in evaluate(plan, as_of, employees):
        for award in result.awards:
            values = {"award": award.award, "count": award.count, "reason": award.text, "rule_version": version,
                      "facts": {"as_of": (as_of or plan.ends_on or dt.date.today()).isoformat()}}
            decision = existing.get((result.employee_id, award.rule))
            if decision is None:
                created.append(Decision(plan=plan, employee_id=result.employee_id, rule_code=award.rule, **values))
            elif decision.status == Decision.Status.ELIGIBLE and not decision.override_reason:
                for key, value in values.items():
                    setattr(decision, key, value)
                updated.append(decision)
            else:
                kept += 1
    Decision.objects.bulk_create(created)
    Decision.objects.bulk_update(updated, ["award", "count", "reason", "rule_version", "facts"])
    audit.record(user, "decisions_saved", plan, f"{plan.slug}：新增 {len(created)}、更新 {len(updated)}、保留 {kept}",
                 after={"version": version.number})
    return {"created": len(created), "updated": len(updated), "kept": kept}


def _transition(user, decision: Decision, allowed: set, status: str, **changes) -> Decision:
    if decision.status not in allowed:
        raise ValidationError(f"「{decision.get_status_display()}」的獎勵案不能改為此狀態。")
    before = {"status": decision.status}
    decision.status = status
    for key, value in changes.items():
        setattr(decision, key, value)
    decision.save()
    audit.record(user, f"decision_{status}", decision, decision.reason[:200], before=before,
                 after={"status": status, **{k: v for k, v in changes.items() if k not in ("requested_by", "decided_by")}})
    return decision


@transaction.atomic
def request(user, decisions) -> list[Decision]:
    """The coordinator files the request for their agencies' eligible staff."""
    visible = set(Employee.objects.visible_to(user).values_list("pk", flat=True))
    done = []
    for decision in decisions:
        if decision.employee_id not in visible or not (is_hr(user) or user.role == "coordinator"):
            raise PermissionDenied
        done.append(_transition(user, decision, {Decision.Status.ELIGIBLE}, Decision.Status.REQUESTED,
                                requested_by=user, requested_at=timezone.now()))
    return done


def approve(user, decision: Decision) -> Decision:
    if not is_hr(user):
        raise PermissionDenied
    return _transition(user, decision, {Decision.Status.REQUESTED}, Decision.Status.APPROVED,
                       decided_by=user, decided_at=timezone.now())


def issue(user, decision: Decision, order_number: str, order_date: dt.date) -> Decision:
    if not is_hr(user):
        raise PermissionDenied
    if not order_number.strip():
        raise ValidationError("請填寫獎懲令文號。")
    return _transition(user, decision, {Decision.Status.APPROVED}, Decision.Status.ISSUED,
                       order_number=order_number.strip(), order_date=order_date)


def reject(user, decision: Decision, reason: str) -> Decision:
    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError("請填寫不予核定的理由。")
    return _transition(user, decision, {Decision.Status.ELIGIBLE, Decision.Status.REQUESTED, Decision.Status.APPROVED},
                       Decision.Status.REJECTED, rejection_reason=reason.strip(), decided_by=user, decided_at=timezone.now())


@transaction.atomic
def override(user, plan: Plan, employee: Employee, rule_code: str, *, grant: bool, reason: str,
             award: str = "commendation", count: int = 1) -> Decision:
    """HR grants what the data cannot decide (a moderator's merit) or withholds an award, with a reason."""
    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError("請填寫調整理由。")
    rules = {r["code"]: r for r in plan.parameters.get("rules", [])}
    cap = (rules.get(rule_code) or {}).get("max")
    if grant and cap and not _within(award, count, cap):
        raise ValidationError("超過本項獎勵的上限。")
    decision, _created = Decision.objects.get_or_create(
        plan=plan, employee=employee, rule_code=rule_code,
        defaults={"award": award, "count": count, "reason": reason, "rule_version": current_version(plan)})
    before = {"status": decision.status, "award": decision.award, "count": decision.count}
    if grant:
        decision.award, decision.count, decision.status = award, count, Decision.Status.ELIGIBLE
        decision.reason = f"人事單位核給：{reason.strip()}"
    else:
        decision.status = Decision.Status.WITHHELD
    decision.override_reason = reason.strip()
    decision.save()
    audit.record(user, "decision_override", decision, decision.override_reason, before=before,
                 after={"status": decision.status, "award": decision.award, "count": decision.count})
    return decision


def _within(award: str, count: int, cap: dict) -> bool:
    from .rules import AWARD_WEIGHT

    return AWARD_WEIGHT[award] * count <= AWARD_WEIGHT[cap["award"]] * cap["count"]
