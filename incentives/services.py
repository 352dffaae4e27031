"""Award decisions: saved from an evaluation, requested, approved, issued, or rejected."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit, clock, rocdate
from portal.models import Employee
from portal.permissions import is_coordinator_or_hr, is_hr
from portal.statemachine import retry_on_conflict
from programs.models import Plan

from .evaluation import evaluate
from .models import DECISION_MACHINE, TRANSITIONS, Decision, RuleVersion
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


@retry_on_conflict
@transaction.atomic
def save_evaluation(user, plan: Plan, as_of: dt.date | None = None, employees=None) -> dict[str, int]:
    """Store each award as an eligible decision. Decisions already requested or further stay as they are."""
    if not is_hr(user):
        raise PermissionDenied
    return _save(user, plan, as_of, employees)


@retry_on_conflict
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
    existing = {
        (d.employee_id, d.rule_code): d for d in Decision.objects.filter(plan=plan).select_for_update(of=("self",))
    }
    created, updated, kept, unchanged = [], [], 0, 0
    for result in evaluate(plan, as_of, employees):
        for award in result.awards:
            values = {
                "award": award.award,
                "count": award.count,
                "reason": award.text,
                "rule_version": version,
                "facts": {"as_of": (as_of or plan.ends_on or dt.date.today()).isoformat()},
            }
            decision = existing.get((result.employee_id, award.rule))
            if decision is None:
                created.append(Decision(plan=plan, employee_id=result.employee_id, rule_code=award.rule, **values))
            elif decision.status == Decision.Status.ELIGIBLE and not decision.override_reason:
                # Updated only when the award itself changed: a new as-of date alone is no news.
                if (decision.award, decision.count, decision.reason, decision.rule_version_id) != (
                    award.award,
                    award.count,
                    award.text,
                    version.pk,
                ):
                    for key, value in values.items():
                        setattr(decision, key, value)
                    updated.append(decision)
                else:
                    unchanged += 1
            else:
                kept += 1
    Decision.objects.bulk_create(created)
    Decision.objects.bulk_update(updated, ["award", "count", "reason", "rule_version", "facts"])
    audit.record(
        user,
        "decisions_saved",
        plan,
        f"{plan.slug}：新增 {len(created)}、更新 {len(updated)}、未變動 {unchanged}、保留 {kept}",
        after={"version": version.number},
    )
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
    rows = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("employee", "plan")
        .order_by("pk")
    )
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
        # A single decision that lost a race hears what happened meanwhile, who and when.
        DECISION_MACHINE.check(row, step)
        before = {"status": row.status}
        DECISION_MACHINE.move(row, step, user, **changes)
        status = row.status
        audit.record(
            user,
            DECISION_MACHINE[step].action,
            row,
            row.reason[:200],
            before=before,
            after={"status": status, **{k: v for k, v in changes.items() if k not in ("requested_by", "decided_by")}},
        )
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


@retry_on_conflict
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
    visible = set(
        Employee.objects.visible_to(user).filter(pk__in=[d.employee_id for d in rows]).values_list("pk", flat=True)
    )
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
            raise ValidationError(
                _("%(names)s的獎勵已逾申報期限（%(deadline)s），機關不能再提報；逾期案件請洽人事單位受理。")
                % {"names": _names(rows_late), "deadline": shown}
            )
        if not late_reason.strip():
            raise ValidationError(
                _("%(names)s的獎勵已逾申報期限（%(deadline)s），人事單位受理逾期案件須填寫理由。")
                % {"names": _names(rows_late), "deadline": shown}
            )
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
            decision.status, decision.requested_by, decision.requested_at = (
                match.status,
                match.requested_by,
                match.requested_at,
            )
    return done


@retry_on_conflict
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


@retry_on_conflict
def approve(user, decision: Decision) -> Decision:
    """HR approves one requested decision (requested → approved). PermissionDenied for others;
    ValidationError when it is no longer requested (another officer got there first)."""
    if not is_hr(user):
        raise PermissionDenied
    return _transition(user, decision, "approve", decided_by=user, decided_at=clock.now())


@retry_on_conflict
def approve_all(user, decisions) -> list[Decision]:
    """HR approves every chosen requested decision, or none (ValidationError naming the others)."""
    return _batch(user, decisions, "approve", lambda d: approve(user, d))


@retry_on_conflict
def return_to_coordinator(user, decisions, reason: str) -> list[Decision]:
    """HR sends requests back to the coordinator (requested → eligible) with a reason they will
    read on the staff page; the coordinator may then file again. All or nothing."""
    if not reason.strip():
        raise ValidationError(_("請填寫退回的理由。"))
    return _batch(
        user,
        decisions,
        "return",
        lambda d: _transition(user, d, "return", return_reason=reason.strip(), requested_by=None, requested_at=None),
    )


@retry_on_conflict
def issue(user, decision: Decision, order_number: str, order_date: dt.date) -> Decision:
    """One approved decision is issued under a 獎懲令 (approved → issued) with its 文號 and date."""
    if not is_hr(user):
        raise PermissionDenied
    if not order_number.strip():
        raise ValidationError(_("請填寫獎懲令文號。"))
    return _transition(user, decision, "issue", order_number=order_number.strip(), order_date=order_date)


@retry_on_conflict
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


@retry_on_conflict
def reject(user, decision: Decision, reason: str) -> Decision:
    """HR does not grant an award (eligible/requested/approved → rejected); the reason is kept."""
    if not is_hr(user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("請填寫不予核定的理由。"))
    return _transition(
        user, decision, "reject", rejection_reason=reason.strip(), decided_by=user, decided_at=clock.now()
    )


@retry_on_conflict
def reject_all(user, decisions, reason: str) -> list[Decision]:
    """`reject` for every chosen decision, or for none."""
    if not reason.strip():
        raise ValidationError(_("請填寫不予核定的理由。"))
    return _batch(user, decisions, "reject", lambda d: reject(user, d, reason))


@retry_on_conflict
def withhold_all(user, decisions, reason: str) -> list[Decision]:
    """HR withholds every chosen award (→ withheld) through `override(grant=False)`, or none."""
    if not reason.strip():
        raise ValidationError(_("請填寫保留的理由。"))
    return _batch(
        user,
        decisions,
        "withhold",
        lambda d: override(user, d.plan, d.employee, d.rule_code, grant=False, reason=reason),
    )


@retry_on_conflict
@transaction.atomic
def override(
    user,
    plan: Plan,
    employee: Employee,
    rule_code: str,
    *,
    grant: bool,
    reason: str,
    award: str = "commendation",
    count: int = 1,
) -> Decision:
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
    people = (
        (covered_employees(plan) & Employee.objects.visible_to(user)) if grant else Employee.objects.visible_to(user)
    )
    if not people.filter(pk=employee.pk).exists():
        raise PermissionDenied
    rules = {r["code"]: r for r in plan.parameters.get("rules", [])}
    if grant and rule_code not in rules:
        raise ValidationError(_("本計畫沒有這項獎勵規則。"))
    cap = (rules.get(rule_code) or {}).get("max")
    if grant and cap and not _within(award, count, cap):
        raise ValidationError(
            _("超過本項獎勵的上限（%(award)s %(count)d 次）。")
            % {"award": AWARD_LABEL[cap["award"]], "count": cap["count"]}
        )
    if grant and (count < 1 or award not in AWARD_LABEL):
        raise ValidationError(_("請選擇獎勵種類並填寫次數。"))
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .filter(plan=plan, employee=employee, rule_code=rule_code)
        .first()
    )
    if decision is None:
        decision = Decision.objects.create(
            plan=plan,
            employee=employee,
            rule_code=rule_code,
            award=award,
            count=count,
            reason=reason,
            rule_version=current_version(plan),
        )
    _check("grant" if grant else "withhold", [decision])
    before = {"status": decision.status, "award": decision.award, "count": decision.count}
    if grant:
        decision.award, decision.count, decision.status = award, count, Decision.Status.ELIGIBLE
        decision.reason = f"人事單位核給：{reason.strip()}"
    else:
        decision.status = Decision.Status.WITHHELD
    decision.override_reason = reason.strip()
    decision.save()
    audit.record(
        user,
        "decision_override",
        decision,
        decision.override_reason,
        before=before,
        after={"status": decision.status, "award": decision.award, "count": decision.count},
    )
    return decision


def _within(award: str, count: int, cap: dict) -> bool:
    from .rules import AWARD_WEIGHT

    return AWARD_WEIGHT[award] * count <= AWARD_WEIGHT[cap["award"]] * cap["count"]


@retry_on_conflict
@transaction.atomic
def update_rule(user, plan: Plan, rule: dict) -> RuleVersion:
    """HR changes one rule of a plan (a threshold, Hualien's buffet tiers): saved, audited, versioned.

    `rule`: the whole rule, its `code` naming the rule it replaces (its kind unchanged). The plan
    row is locked and re-read, so two officers saving at once both land, one after the other.
    Raises PermissionDenied (not an HR officer of the plan's government) and ValidationError with
    one Chinese sentence per problem, naming the plan, the rule and the field (nothing is saved).
    Returns the rule version now current: a new one when anything changed, as decisions made
    before keep pointing at the version they used.
    """
    from programs.services import require_reviewer

    from . import kinds
    from .evaluation import check_plan_rules

    require_reviewer(user, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    stored = plan.parameters.get("rules", [])
    position = next(
        (i for i, r in enumerate(stored) if isinstance(r, dict) and r.get("code") == rule.get("code")), None
    )
    if position is None:
        raise ValidationError(_("計畫沒有代碼為「%(code)s」的規則。") % {"code": rule.get("code", "")})
    if stored[position].get("kind") != rule.get("kind"):
        raise ValidationError(_("規則類型不能變更。"))
    rules = [*stored[:position], rule, *stored[position + 1 :]]
    try:
        check_plan_rules(plan, rules)
    except kinds.RuleParameterError as error:
        raise ValidationError(error.messages) from error
    if rules != stored:
        plan.parameters = {**plan.parameters, "rules": rules, "rules_edited": clock.now().isoformat()}
        plan.save(update_fields=["parameters"])
        audit.record(
            user,
            "rule_change",
            plan,
            f"{plan.slug} {rule['code']}",
            before={"rule": stored[position]},
            after={"rule": rule},
        )
        from .refresh import standings_changed

        standings_changed([plan.pk])  # the staff page's stored standings follow the new rule
    return current_version(plan)


def _lottery_season(user, plan: Plan, season_slug: str) -> tuple[dict, dict]:
    from programs.services import require_reviewer

    from .seasons import lottery_rule, season_of

    require_reviewer(user, plan)
    rule = lottery_rule(plan)
    season = season_of(rule, season_slug) if rule else None
    if season is None:
        raise ValidationError(_("計畫沒有這一季的抽獎。"))
    return rule, season


@retry_on_conflict
@transaction.atomic
def publish_seed(user, plan: Plan, season_slug: str, seed: str):
    """HR publishes a season's draw seed, before the season's last day (Kaohsiung 103 陸、七、（二）、1).

    The seed (any text HR announces, such as a lottery's winning numbers) is fixed before the
    chances it will meet are known; it cannot be changed once published. Raises PermissionDenied
    (not HR of the plan's government) and ValidationError (no such season, dates not set, the
    season over, an empty seed, a seed already published).
    """
    from .models import Draw

    rule, season = _lottery_season(user, plan, season_slug)
    seed = (seed or "").strip()
    if not seed:
        raise ValidationError(_("請輸入要公布的抽獎種子。"))
    if not (season.get("starts_on") and season.get("ends_on")):
        raise ValidationError(_("請先於規則頁設定%(season)s的活動期間。") % {"season": season["name"]})
    if clock.today() > dt.date.fromisoformat(season["ends_on"]):
        raise ValidationError(
            _("%(season)s已於 %(day)s 結束；種子須在活動結束前公布。")
            % {"season": season["name"], "day": rocdate.to_roc_long(dt.date.fromisoformat(season["ends_on"]))}
        )
    Plan.objects.select_for_update().get(pk=plan.pk)  # one publication per season, whoever presses first
    existing = Draw.objects.filter(plan=plan, rule_code=rule["code"], season=season["slug"]).first()
    if existing:
        raise ValidationError(
            _("%(season)s的種子已於 %(when)s 公布，不能更改。")
            % {"season": season["name"], "when": rocdate.to_roc_long(existing.seed_published_at)}
        )
    draw = Draw.objects.create(
        plan=plan,
        rule_code=rule["code"],
        season=season["slug"],
        season_name=season["name"],
        seed=seed[:200],
        seed_published_at=clock.now(),
        seed_published_by=user,
        prizes=season.get("prizes") or rule.get("prizes") or 0,
    )
    audit.record(user, "draw_seed_published", draw, f"{plan.slug} {season['name']}", after={"seed": draw.seed})
    return draw


@retry_on_conflict
@transaction.atomic
def run_draw(user, plan: Plan, season_slug: str):
    """HR draws a season's winners after the season ends: reproducible from the seed and the chance list.

    Keeps the chance lines, their SHA-256 and the winners (incentives.draws). One win per person
    unless `settings.DRAW_ONE_WIN_PER_PERSON` is off. The draw row is locked and re-read, so a
    second press finds it drawn. Raises PermissionDenied and ValidationError (no seed published,
    the season not over, already drawn, no chances).
    """
    from django.conf import settings

    from . import draws
    from .models import Draw
    from .seasons import season_chances

    rule, season = _lottery_season(user, plan, season_slug)
    draw = Draw.objects.select_for_update().filter(plan=plan, rule_code=rule["code"], season=season["slug"]).first()
    if draw is None:
        raise ValidationError(_("請先公布%(season)s的抽獎種子。") % {"season": season["name"]})
    if draw.status == Draw.Status.DRAWN:
        raise ValidationError(
            _("%(season)s已於 %(when)s 抽出，不能重抽。")
            % {"season": season["name"], "when": rocdate.to_roc_long(draw.drawn_at)}
        )
    if clock.today() <= dt.date.fromisoformat(season["ends_on"]):
        raise ValidationError(
            _("%(season)s尚未結束（至 %(day)s），結束後才能抽獎。")
            % {"season": season["name"], "day": rocdate.to_roc_long(dt.date.fromisoformat(season["ends_on"]))}
        )
    chances, employee_of = season_chances(plan, rule, season)
    if not chances:
        raise ValidationError(
            _("%(season)s沒有任何抽獎機會（指定課程或期間內無人完成）。") % {"season": season["name"]}
        )
    lines = draws.chance_lines(chances)
    one_win = getattr(settings, "DRAW_ONE_WIN_PER_PERSON", True)
    winners = draws.draw_winners(draw.seed, lines, draw.prizes, one_win)
    draw.chances, draw.chances_hash, draw.winners = lines, draws.chances_hash(lines), winners
    draw.winner_ids = [employee_of[draws.person_of(line)] for line in winners]
    draw.one_win_per_person, draw.status, draw.drawn_at, draw.drawn_by = one_win, Draw.Status.DRAWN, clock.now(), user
    draw.save()
    audit.record(
        user,
        "draw_drawn",
        draw,
        f"{plan.slug} {season['name']}",
        after={"chances": len(lines), "chances_hash": draw.chances_hash, "winners": len(winners)},
    )
    return draw
