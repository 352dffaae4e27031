"""The messages of award decisions (issue 18): the 獎懲令 to the employee, returns and rejections
and filing deadlines to the coordinator, waiting decisions to HR. Registered from
`IncentivesConfig.ready()`; see `portal.notices` for how they are sent, logged and turned off.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Agency
from portal.notices import (
    COORDINATOR,
    EMPLOYEE,
    HR,
    Message,
    MessageKind,
    accounts_of_employees,
    fingerprint,
    greeting,
    link,
    servers_by_agency,
)
from portal.rocdate import to_roc_long
from portal.roles import Role
from programs.models import Plan

from .models import Award, Decision

# Issue 18: a filing deadline within 7 days, with the people still to file.
DEADLINE_WITHIN_DAYS = 7
# At most this many names in one message; the rest are counted (the staff page lists them all).
NAMES_SHOWN = 50
SUBJECT = "【數位學習】"
AWARD = dict(Award.choices)


def _rule_name(plan: Plan, rule_code: str) -> str:
    """The rule as people read it: 「論壇發表及回應（柒、一、（二））」, else its code."""
    from .standing import rule_label

    rule = next((r for r in plan.parameters.get("rules", []) if r.get("code") == rule_code), None)
    if rule is None:
        return rule_code
    label = rule_label(rule, {})
    return f"{label}（{rule['clause']}）" if rule.get("clause") else label


def _award(decision) -> str:
    return _("%(award)s %(count)d 次") % {"award": AWARD.get(decision.award, decision.award), "count": decision.count}


# --- employee: a 獎懲令 issued (mandatory) ---------------------------------------------------


def _build_issued(items) -> list[Message]:
    moments = dict(items)
    rows = Decision.objects.filter(pk__in=moments, status=Decision.Status.ISSUED).select_related("employee", "plan")
    accounts = accounts_of_employees({d.employee_id for d in rows})
    path = reverse("incentives:me")
    messages = []
    for d in rows:
        if d.employee_id not in accounts:
            continue
        values = {
            "plan": d.plan.title,
            "rule": _rule_name(d.plan, d.rule_code),
            "award": _award(d),
            "number": d.order_number,
            "date": to_roc_long(d.order_date) if d.order_date else "",
            "reason": d.reason,
            "link": link(path),
        }
        messages.append(
            Message(
                accounts[d.employee_id],
                f"decision:{d.pk}",
                fingerprint(d.order_number, moments[d.pk]),
                SUBJECT + _("獎懲令已發布：%(award)s（%(number)s）") % values,
                "\n\n".join(
                    [
                        greeting(d.employee.name),
                        _(
                            "您在「%(plan)s」%(rule)s的獎勵已發布獎懲令：%(award)s。\n"
                            "獎懲令文號：%(number)s\n獎懲令日期：%(date)s\n事由：%(reason)s"
                        )
                        % values,
                        _("請至下列網址查看：\n%(link)s") % values,
                    ]
                )
                + "\n",
            )
        )
    return messages


# --- coordinator: a request returned or rejected, with the reason ----------------------------


def _decision_outcome(step: str):
    def build(items) -> list[Message]:
        moments = dict(items)
        rows = list(Decision.objects.filter(pk__in=moments).select_related("employee", "plan"))
        coordinators = servers_by_agency(Role.COORDINATOR)
        messages = []
        for d in rows:
            path = reverse("incentives:staff", args=[d.plan.slug])
            values = {
                "who": d.employee.name,
                "plan": d.plan.title,
                "rule": _rule_name(d.plan, d.rule_code),
                "award": _award(d),
                "reason": d.return_reason if step == "return" else d.rejection_reason,
                "link": link(path),
            }
            if step == "return":
                subject = _("獎勵提報退回：%(who)s") % values
                text = _(
                    "您提報的「%(plan)s」%(rule)s獎勵（%(who)s，%(award)s）已由人事單位退回，請依理由修正後重新提報。\n"
                    "退回理由：%(reason)s"
                )
            else:
                subject = _("獎勵不予核定：%(who)s") % values
                text = _(
                    "「%(plan)s」%(rule)s獎勵（%(who)s，%(award)s）經人事單位決定不予核定。\n不予核定理由：%(reason)s"
                )
            for user_id in sorted(coordinators.get(d.employee.agency_id, ())):
                messages.append(
                    Message(
                        user_id,
                        f"decision:{d.pk}",
                        fingerprint(moments[d.pk]),
                        SUBJECT + subject,
                        "\n\n".join([greeting(""), text % values, _("請至下列網址查看：\n%(link)s") % values]) + "\n",
                    )
                )
        return messages

    return build


# --- coordinator: a filing deadline within 7 days, with the people still to file -------------


def _deadlines(as_of: dt.date) -> dict[tuple[int, str], tuple[Plan, dt.date]]:
    """(plan id, rule code) -> (plan, deadline) for every rule whose filing deadline is within
    DEADLINE_WITHIN_DAYS of `as_of` (one query)."""
    found = {}
    last = as_of + dt.timedelta(days=DEADLINE_WITHIN_DAYS)
    for plan in Plan.objects.only("pk", "slug", "title", "parameters"):
        for rule in plan.parameters.get("rules", []):
            if isinstance(rule, dict) and rule.get("filing_deadline"):
                deadline = dt.date.fromisoformat(str(rule["filing_deadline"]))
                if as_of <= deadline <= last:
                    found[(plan.pk, rule["code"])] = (plan, deadline)
    return found


def _find_deadlines(as_of: dt.date, user_ids=None) -> list[Message]:
    """Each coordinator with staff still to file under a rule whose filing deadline is within 7
    days: one message per rule, naming them (four queries, three with no deadline near)."""
    deadlines = _deadlines(as_of)
    if not deadlines:
        return []
    pairs = Q()
    for plan_id, code in deadlines:
        pairs |= Q(plan_id=plan_id, rule_code=code)
    coordinators = servers_by_agency(Role.COORDINATOR, user_ids)
    rows = (
        Decision.objects.filter(pairs, status=Decision.Status.ELIGIBLE, employee__agency_id__in=list(coordinators))
        .order_by("employee__name", "pk")
        .values_list("pk", "plan_id", "rule_code", "employee__name", "employee__agency_id")
    )
    due: dict[tuple[int, int, str], list[tuple[int, str]]] = {}
    for pk, plan_id, code, name, agency_id in rows:
        for user_id in coordinators.get(agency_id, ()):
            due.setdefault((user_id, plan_id, code), []).append((pk, name))
    messages = []
    for (user_id, plan_id, code), people in sorted(due.items()):
        plan, deadline = deadlines[(plan_id, code)]
        path = reverse("incentives:staff", args=[plan.slug])
        names = "、".join(name for _pk, name in people[:NAMES_SHOWN])
        if len(people) > NAMES_SHOWN:
            names += _("等 %(n)d 人") % {"n": len(people)}
        values = {
            "plan": plan.title,
            "rule": _rule_name(plan, code),
            "deadline": to_roc_long(deadline),
            "count": len(people),
            "names": names,
            "link": link(path),
        }
        title = _("「%(plan)s」%(rule)s於 %(deadline)s 截止提報，尚有 %(count)d 人未提報") % values
        messages.append(
            Message(
                user_id,
                f"{plan.slug}:{code}",
                fingerprint(deadline.isoformat(), sorted(pk for pk, _n in people)),
                SUBJECT + _("提報期限 %(deadline)s：尚有 %(count)d 人未提報") % values,
                "\n\n".join(
                    [
                        greeting(""),
                        _("「%(plan)s」%(rule)s的獎勵須於 %(deadline)s 前提報，下列 %(count)d 人尚未提報：\n%(names)s")
                        % values,
                        _("逾期機關即不能提報。請至下列網址提報：\n%(link)s") % values,
                    ]
                )
                + "\n",
                items=[(title, len(people), path)],
            )
        )
    return messages


def _find_returned(as_of: dt.date, user_ids=None) -> list[Message]:
    """To-do only: each coordinator's requests HR returned and not yet filed again (three queries)."""
    coordinators = servers_by_agency(Role.COORDINATOR, user_ids)
    rows = (
        Decision.objects.filter(status=Decision.Status.ELIGIBLE, employee__agency_id__in=list(coordinators))
        .exclude(return_reason="")
        .values("plan__slug", "plan__title", "employee__agency_id")
        .annotate(n=Count("pk"))
        .order_by("plan__slug")
    )
    counts: dict[int, dict[tuple[str, str], int]] = {}
    for row in rows:
        for user_id in coordinators.get(row["employee__agency_id"], ()):
            mine = counts.setdefault(user_id, {})
            key = (row["plan__slug"], row["plan__title"])
            mine[key] = mine.get(key, 0) + row["n"]
    messages = []
    for user_id, plans in counts.items():
        for (slug, title), n in plans.items():
            text = _("「%(plan)s」退回待重新提報 %(n)d 件") % {"plan": title, "n": n}
            messages.append(
                Message(
                    user_id,
                    f"returned:{slug}",
                    fingerprint(n),
                    SUBJECT + text,
                    text,
                    items=[(text, n, reverse("incentives:staff", args=[slug]))],
                )
            )
    return messages


# --- HR: decisions waiting ----------------------------------------------------------------------


def _find_hr(as_of: dt.date, user_ids=None) -> list[Message]:
    """Each HR officer with decisions waiting among those they may act on (Decision.visible_to):
    requested ones to approve, approved ones to issue (five queries)."""
    served = servers_by_agency(Role.HR, user_ids)
    government = {pk: gov or pk for pk, gov in Agency.objects.values_list("pk", "government_id")}
    agencies_of: dict[int, set[int]] = {}
    for agency_id, users in served.items():
        for user_id in users:
            agencies_of.setdefault(user_id, set()).add(agency_id)
    rows = list(
        Decision.objects.filter(status__in=[Decision.Status.REQUESTED, Decision.Status.APPROVED])
        .values_list("plan__issuer_id", "employee__agency_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    status_pages = [
        (Decision.Status.REQUESTED, _("機關提報待核定的獎勵案 %(n)d 件")),
        (Decision.Status.APPROVED, _("已核定待發布獎懲令的獎勵案 %(n)d 件")),
    ]
    messages = []
    for user_id, agencies in agencies_of.items():
        governments = {government[a] for a in agencies}
        counts = dict.fromkeys([s for s, _t in status_pages], 0)
        for issuer_id, agency_id, status, n in rows:
            if agency_id in agencies or government.get(issuer_id, issuer_id) in governments:
                counts[status] += n
        if not any(counts.values()):
            continue
        base = reverse("incentives:decisions")
        items = [(text % {"n": counts[s]}, counts[s], f"{base}?status={s}") for s, text in status_pages if counts[s]]
        lines = "\n".join(f"・{title}：{link(path)}" for title, _n, path in items)
        messages.append(
            Message(
                user_id,
                "waiting",
                fingerprint(sorted(counts.items())),
                SUBJECT + _("獎勵案待辦：%(what)s") % {"what": "、".join(t for t, _n, _p in items)},
                "\n\n".join([greeting(""), _("下列獎勵案待您處理：\n%(lines)s") % {"lines": lines}]) + "\n",
                items=items,
            )
        )
    return messages


KINDS = [
    MessageKind("decision_issued", gettext_lazy("獎懲令發布（附文號）"), EMPLOYEE, mandatory=True, build=_build_issued),
    MessageKind(
        "decision_returned",
        gettext_lazy("提報的獎勵案遭人事單位退回（附理由）"),
        COORDINATOR,
        build=_decision_outcome("return"),
    ),
    MessageKind(
        "decision_rejected",
        gettext_lazy("提報的獎勵案不予核定（附理由）"),
        COORDINATOR,
        build=_decision_outcome("reject"),
    ),
    MessageKind("filing_deadline", gettext_lazy("7 日內截止提報、尚未提報的人員"), COORDINATOR, find=_find_deadlines),
    MessageKind(
        "decision_returned_todo", gettext_lazy("退回待重新提報"), COORDINATOR, find=_find_returned, remind=False
    ),
    MessageKind("decision_hr_waiting", gettext_lazy("獎勵案待辦（待核定、待發布獎懲令）"), HR, find=_find_hr),
]


def register() -> None:
    """Register the decision messages and tie the events to DECISION_MACHINE's transitions."""
    from portal.registry import register_message_kind, register_transition_notice

    for kind in KINDS:
        register_message_kind(kind)
    register_transition_notice("incentives.decision", "issue", "decision_issued")
    register_transition_notice("incentives.decision", "return", "decision_returned")
    register_transition_notice("incentives.decision", "reject", "decision_rejected")
