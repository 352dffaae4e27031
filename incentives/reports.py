"""The commendation roster (敘獎名冊) as a PDF."""
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from programs.models import Plan

from .models import Decision
from .rules import AWARD_LABEL


def roster_decisions(plan: Plan, employees=None):
    decisions = (Decision.objects.filter(plan=plan, status__in=[Decision.Status.REQUESTED, Decision.Status.APPROVED,
                                                               Decision.Status.ISSUED])
                 .select_related("employee__agency", "employee__unit")
                 .order_by("employee__agency__name", "employee__unit__name", "employee__name", "rule_code"))
    if employees is not None:
        decisions = decisions.filter(employee__in=employees)
    clauses = {r["code"]: r.get("clause", "") for r in plan.parameters.get("rules", [])}
    for decision in decisions:
        decision.basis = f"{plan.roc_year}年計畫 {clauses.get(decision.rule_code, '')}".strip()
        yield decision


def render_roster_pdf(plan: Plan, employees=None, scope: str = "") -> bytes:
    from weasyprint import HTML

    html = render_to_string("incentives/roster.html", {
        "css": (Path(settings.BASE_DIR) / "templates" / "pdf" / "base.css").read_text(encoding="utf-8"),
        "plan": plan, "decisions": list(roster_decisions(plan, employees)), "scope": scope, "today": dt.date.today(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def tally_rows(plan: Plan, rule: dict, employees):
    """Per person: posts, replies and excluded in the rule's window, with the award they earn."""
    from django.db.models import Sum

    from courses.models import ForumTally

    from .evaluation import evaluate

    start, end = dt.date.fromisoformat(rule["window"]["start"]), dt.date.fromisoformat(rule["window"]["end"])
    totals = {row["employee_id"]: row for row in ForumTally.objects.filter(
        employee__in=employees, window_start__gte=start, window_end__lte=end).values("employee_id").annotate(
        p=Sum("posts"), r=Sum("replies"), x=Sum("excluded"))}
    awards = {e.employee_id: [a for a in e.awards if a.rule == rule["code"]] for e in evaluate(plan, end, employees)}
    rows = []
    for employee in employees.filter(pk__in=list(totals)).select_related("agency", "unit").order_by("agency__name", "unit__name", "name"):
        t = totals[employee.pk]
        earned = awards.get(employee.pk) or []
        rows.append({"agency": employee.agency.name, "unit": employee.unit.name if employee.unit else "", "title": employee.title,
                     "name": employee.name, "posts": t["p"], "replies": t["r"], "excluded": t["x"], "counted": t["p"] + t["r"] - t["x"],
                     "award": "、".join(f"{AWARD_LABEL[a.award]}{a.count}次" for a in earned)})
    return start, end, rows


def render_tally_sheet_pdf(plan: Plan, rule: dict, employees, scope: str = "") -> bytes:
    from weasyprint import HTML

    start, end, rows = tally_rows(plan, rule, employees)
    html = render_to_string("incentives/tally_sheet.html", {
        "css": (Path(settings.BASE_DIR) / "templates" / "pdf" / "base.css").read_text(encoding="utf-8"),
        "plan": plan, "rule": rule, "rows": rows, "start": start, "end": end, "scope": scope,
        "deadline": dt.date.fromisoformat(rule["filing_deadline"]) if rule.get("filing_deadline") else None,
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
