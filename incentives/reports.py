"""The commendation roster (敘獎名冊) as a PDF."""
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from programs.models import Plan

from .models import Decision


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
