"""Award decisions: saved from an evaluation, requested, approved, issued, or rejected."""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit, clock, rocdate
from portal.models import Employee
from portal.permissions import is_coordinator_or_hr, is_hr
from programs.models import Plan

from .evaluation import evaluate
from .models import TRANSITIONS, Decision, RuleVersion
from .rules import AWARD_LABEL


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
    """A coordinator files the requests of the chosen staff at once: their eligible awards become requested.

    `employee_ids`: people the plan covers and the user serves (else PermissionDenied). Returns the
    decisions now requested. After a rule's filing deadline (DOMAIN.md Decision, Tainan 柒、一、（二））
    a coordinator's late awards are left eligible (`queries.past_deadline` lists them; HR accepts
    them on the desk, `accept_late`) and the rest are filed; when every chosen award is late,
    ValidationError names the deadline (「已逾申報期限（101年10月15日）」) and nothing is filed.
    """
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
    if not is_hr(user):
        today = clock.today()
        in_time = [d for d in eligible if not _late(plan, d.rule_code, today)]
        if in_time:  # with nothing in time, request() refuses and says why
            eligible = in_time
    return request(user, eligible)


def _save(user, plan: Plan, as_of, employees) -> dict[str, int]:
    version = current_version(plan)
    existing = {(d.employee_id, d.rule_code): d for d in Decision.objects.filter(plan=plan).select_for_update(of=("self",))}
    created, updated, kept, unchanged = [], [], 0, 0
    for result in evaluate(plan, as_of, employees):
        for award in result.awards:
            values = {"award": award.award, "count": award.count, "reason": award.text, "rule_version": version,
                      "facts": {"as_of": (as_of or plan.ends_on or dt.date.today()).isoformat()}}
            decision = existing.get((result.employee_id, award.rule))
            if decision is None:
                created.append(Decision(plan=plan, employee_id=result.employee_id, rule_code=award.rule, **values))
            elif decision.status == Decision.Status.ELIGIBLE and not decision.override_reason:
                # Updated only when the award itself changed: a new as-of date alone is no news.
                if (decision.award, decision.count, decision.reason, decision.rule_version_id) != (
                        award.award, award.count, award.text, version.pk):
                    for key, value in values.items():
                        setattr(decision, key, value)
                    updated.append(decision)
                else:
                    unchanged += 1
            else:
                kept += 1
    Decision.objects.bulk_create(created)
    Decision.objects.bulk_update(updated, ["award", "count", "reason", "rule_version", "facts"])
    audit.record(user, "decisions_saved", plan,
                 f"{plan.slug}：新增 {len(created)}、更新 {len(updated)}、未變動 {unchanged}、保留 {kept}",
                 after={"version": version.number})
    return {"created": len(created), "updated": len(updated), "unchanged": unchanged, "kept": kept}


def filing_deadline(plan: Plan, rule_code: str) -> dt.date | None:
    """The last day a coordinator may file the rule's requests (`filing_deadline`, ISO date), if it has one."""
    rule = next((r for r in plan.parameters.get("rules", []) if r.get("code") == rule_code), None) or {}
    return dt.date.fromisoformat(str(rule["filing_deadline"])) if rule.get("filing_deadline") else None


def _late(plan: Plan, rule_code: str, today: dt.date) -> bool:
    deadline = filing_deadline(plan, rule_code)
    return bool(deadline and today > deadline)


def _names(decisions) -> str:
    return "、".join(dict.fromkeys(d.employee.name for d in decisions))


def _lock(decisions) -> list[Decision]:
    """The decisions' rows, locked until the transaction ends and read afresh, in primary-key order
    (two officers locking overlapping sets never wait on each other in a circle)."""
    ids = sorted({d.pk for d in decisions})
    rows = list(Decision.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                .select_related("employee", "plan").order_by("pk"))
    if len(rows) != len(ids):
        raise ValidationError(_("部分獎勵案已不存在，請重新整理頁面。"))
    return rows


def _check(step: str, rows: list[Decision]) -> None:
    """All or nothing: ValidationError naming everyone whose decision cannot take the step."""
    allowed, _status, label = TRANSITIONS[step]
    wrong = [d for d in rows if d.status not in allowed]
    if wrong:
        people = "、".join(f"{d.employee.name}（{d.get_status_display()}）" for d in wrong)
        raise ValidationError(_("以下獎勵案不能%(step)s，全部未處理：%(people)s") % {"step": label, "people": people})


def _transition(user, decision: Decision, step: str, **changes) -> Decision:
    """Apply one step under a row lock: re-read the status, change it, write the audit entry.

    The caller's instance is brought up to date too (demo and tests keep using it).
    """
    with transaction.atomic():
        row = _lock([decision])[0]
        # HR's steps stay inside the officer's government (Decision.objects.visible_to); request checks its own scope.
        if step != "request" and not Decision.objects.visible_to(user).filter(pk=row.pk).exists():
            raise PermissionDenied
        _check(step, [row])
        status = TRANSITIONS[step][1]
        before = {"status": row.status}
        row.status = status
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        action = "decision_returned" if step == "return" else f"decision_{status}"
        audit.record(user, action, row, row.reason[:200], before=before,
                     after={"status": status, **{k: v for k, v in changes.items() if k not in ("requested_by", "decided_by")}})
    for key in ["status", "updated_at", *changes]:
        setattr(decision, key, getattr(row, key))
    return row


def _batch(user, decisions, step: str, one) -> list[Decision]:
    """Lock every chosen decision, check them all, then take the step for each: all or nothing."""
    if not is_hr(user):
        raise PermissionDenied
    decisions = list(decisions)
    if not decisions:
        raise ValidationError(_("請至少勾選一件獎勵案。"))
    with transaction.atomic():
        rows = _lock(decisions)
        if Decision.objects.visible_to(user).filter(pk__in=[d.pk for d in rows]).count() != len(rows):
            raise PermissionDenied
        _check(step, rows)
        return [one(row) for row in rows]


@transaction.atomic
def request(user, decisions, late_reason: str = "", today: dt.date | None = None) -> list[Decision]:
    """The coordinator (or HR) files requests: eligible → requested, for staff the user serves.

    `decisions`: Decisions the user may see (else PermissionDenied); all eligible (else
    ValidationError naming the others). After a rule's `filing_deadline` (DOMAIN.md Decision, Tainan
    柒、一、（二））a coordinator is refused with 「已逾申報期限（101年10月15日）」; HR may accept a late
    one with `late_reason`, kept on the decision. `today` defaults to `portal.clock.today()`.
    """
    if not is_coordinator_or_hr(user):
        raise PermissionDenied
    decisions = list(decisions)
    rows = _lock(decisions)
    visible = set(Employee.objects.visible_to(user).filter(pk__in=[d.employee_id for d in rows]).values_list("pk", flat=True))
    if any(d.employee_id not in visible for d in rows):
        raise PermissionDenied
    _check("request", rows)
    today, late = today or clock.today(), {}
    for row in rows:
        deadline = filing_deadline(row.plan, row.rule_code)
        if deadline and today > deadline:
            late.setdefault(deadline, []).append(row)
    for deadline, rows_late in late.items():
        shown = rocdate.to_roc_long(deadline)
        if not is_hr(user):
            raise ValidationError(_("%(names)s的獎勵已逾申報期限（%(deadline)s），機關不能再提報；逾期案件請洽人事單位受理。")
                                  % {"names": _names(rows_late), "deadline": shown})
        if not late_reason.strip():
            raise ValidationError(_("%(names)s的獎勵已逾申報期限（%(deadline)s），人事單位受理逾期案件須填寫理由。")
                                  % {"names": _names(rows_late), "deadline": shown})
    late_ids = {d.pk for rows_late in late.values() for d in rows_late}
    done = []
    for row in rows:
        changes = {"requested_by": user, "requested_at": clock.now()}
        if row.pk in late_ids:
            changes["late_reason"] = late_reason.strip()
        done.append(_transition(user, row, "request", **changes))
    for decision in decisions:  # bring the caller's instances up to date
        match = next((d for d in done if d.pk == decision.pk), None)
        if match is not None and match is not decision:
            decision.status, decision.requested_by, decision.requested_at = match.status, match.requested_by, match.requested_at
    return done


def accept_late(user, decisions, reason: str) -> list[Decision]:
    """HR files requests past the rule's filing deadline itself, with the reason it accepts them.

    `decisions`: eligible Decisions HR may see. Raises PermissionDenied for anyone but HR,
    ValidationError without a reason or when one is not eligible (nothing filed).
    DOMAIN.md Decision on filing deadlines (Tainan 柒、一、（二））.
    """
    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("請填寫受理逾期提報的理由。"))
    return request(user, decisions, late_reason=reason)


def approve(user, decision: Decision) -> Decision:
    """HR approves one requested decision (requested → approved). PermissionDenied for others;
    ValidationError when it is no longer requested (another officer got there first)."""
    if not is_hr(user):
        raise PermissionDenied
    return _transition(user, decision, "approve", decided_by=user, decided_at=clock.now())


def approve_all(user, decisions) -> list[Decision]:
    """HR approves every chosen requested decision, or none (ValidationError naming the others)."""
    return _batch(user, decisions, "approve", lambda d: approve(user, d))


def return_to_coordinator(user, decisions, reason: str) -> list[Decision]:
    """HR sends requests back to the coordinator (requested → eligible) with a reason they will
    read on the staff page; the coordinator may then file again. All or nothing."""
    if not reason.strip():
        raise ValidationError(_("請填寫退回的理由。"))
    return _batch(user, decisions, "return",
                  lambda d: _transition(user, d, "return", return_reason=reason.strip(), requested_by=None, requested_at=None))


def issue(user, decision: Decision, order_number: str, order_date: dt.date) -> Decision:
    """One approved decision is issued under a 獎懲令 (approved → issued) with its 文號 and date."""
    if not is_hr(user):
        raise PermissionDenied
    if not order_number.strip():
        raise ValidationError(_("請填寫獎懲令文號。"))
    return _transition(user, decision, "issue", order_number=order_number.strip(), order_date=order_date)


def issue_order(user, decisions, order_number: str, order_date) -> list[Decision]:
    """One 獎懲令 for many: every chosen approved decision is issued with the same 文號 and date.

    `order_date`: a date, or text in any form `portal.rocdate` reads (103/07/20, 1030720,
    2014-07-20). All or nothing: ValidationError naming each person whose decision is not
    approved, a blank 文號 or an unreadable date; PermissionDenied for anyone but HR.
    """
    if not is_hr(user):
        raise PermissionDenied
    if not order_number.strip():
        raise ValidationError(_("請填寫獎懲令文號。"))
    if not isinstance(order_date, dt.date):
        try:
            order_date = rocdate.parse_date(order_date)
        except rocdate.RocDateError as error:
            raise ValidationError(_("獎懲令日期：%(error)s") % {"error": error}) from None
    return _batch(user, decisions, "issue", lambda d: issue(user, d, order_number, order_date))


def reject(user, decision: Decision, reason: str) -> Decision:
    """HR does not grant an award (eligible/requested/approved → rejected); the reason is kept."""
    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("請填寫不予核定的理由。"))
    return _transition(user, decision, "reject", rejection_reason=reason.strip(), decided_by=user, decided_at=clock.now())


def reject_all(user, decisions, reason: str) -> list[Decision]:
    """`reject` for every chosen decision, or for none."""
    if not reason.strip():
        raise ValidationError(_("請填寫不予核定的理由。"))
    return _batch(user, decisions, "reject", lambda d: reject(user, d, reason))


def withhold_all(user, decisions, reason: str) -> list[Decision]:
    """HR withholds every chosen award (→ withheld) through `override(grant=False)`, or none."""
    if not reason.strip():
        raise ValidationError(_("請填寫保留的理由。"))
    return _batch(user, decisions, "withhold",
                  lambda d: override(user, d.plan, d.employee, d.rule_code, grant=False, reason=reason))


@transaction.atomic
def override(user, plan: Plan, employee: Employee, rule_code: str, *, grant: bool, reason: str,
             award: str = "commendation", count: int = 1) -> Decision:
    """HR grants what the data cannot decide (a moderator's merit) or withholds an award, with a reason.

    grant=True: the decision becomes eligible with `award` × `count`, within the rule's `max`
    (ValidationError 「超過本項獎勵的上限」); the rule must be the plan's. grant=False: → withheld.
    The employee must be covered by the plan and served by the officer (PermissionDenied); an
    issued decision is never changed (ValidationError).
    """
    from .facts import covered_employees

    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("請填寫調整理由。"))
    # Granting needs the person covered by the plan; withholding only needs them served by the officer.
    people = (covered_employees(plan) & Employee.objects.visible_to(user)) if grant else Employee.objects.visible_to(user)
    if not people.filter(pk=employee.pk).exists():
        raise PermissionDenied
    rules = {r["code"]: r for r in plan.parameters.get("rules", [])}
    if grant and rule_code not in rules:
        raise ValidationError(_("本計畫沒有這項獎勵規則。"))
    cap = (rules.get(rule_code) or {}).get("max")
    if grant and cap and not _within(award, count, cap):
        raise ValidationError(_("超過本項獎勵的上限（%(award)s %(count)d 次）。") % {"award": AWARD_LABEL[cap["award"]], "count": cap["count"]})
    if grant and (count < 1 or award not in AWARD_LABEL):
        raise ValidationError(_("請選擇獎勵種類並填寫次數。"))
    decision = Decision.objects.select_for_update(of=("self",)).filter(plan=plan, employee=employee, rule_code=rule_code).first()
    if decision is None:
        decision = Decision.objects.create(plan=plan, employee=employee, rule_code=rule_code, award=award, count=count,
                                           reason=reason, rule_version=current_version(plan))
    _check("grant" if grant else "withhold", [decision])
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
