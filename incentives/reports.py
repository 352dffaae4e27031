"""Printed lists and reports: the commendation roster (敘獎名冊), the forum tally sheet and the KPI report."""

import datetime as dt

from programs.models import Plan

from .models import Decision
from .rules import AWARD_LABEL


def roster_employees(user):
    """Whose decisions a person's roster lists: everyone's for HR, the agencies served otherwise."""
    from portal.models import Employee
    from portal.permissions import is_hr

    return None if is_hr(user) else Employee.objects.visible_to(user)


def roster_queryset(plan: Plan, employees=None):
    decisions = Decision.objects.filter(
        plan=plan, status__in=[Decision.Status.REQUESTED, Decision.Status.APPROVED, Decision.Status.ISSUED]
    )
    return decisions if employees is None else decisions.filter(employee__in=employees)


def roster_decisions(plan: Plan | None, employees=None, decisions=None):
    """The roster's rows: a plan's filed decisions (in the employees' scope), or the given ones (one 獎懲令's)."""
    decisions = roster_queryset(plan, employees) if decisions is None else decisions
    decisions = decisions.select_related("plan", "employee__agency", "employee__unit").order_by(
        "employee__agency__name", "employee__unit__name", "employee__name", "rule_code"
    )
    clauses = {}
    for decision in decisions:
        if decision.plan_id not in clauses:
            clauses[decision.plan_id] = {
                r["code"]: r.get("clause", "") for r in decision.plan.parameters.get("rules", [])
            }
        clause = clauses[decision.plan_id].get(decision.rule_code, "")
        decision.basis = f"{decision.plan.roc_year}年計畫 {clause}".strip()
        decision.basis_lines = (
            [f"{decision.plan.roc_year}年計畫", clause] if clause else [f"{decision.plan.roc_year}年計畫"]
        )
        yield decision


# About what a landscape A4 page of the roster holds (reasons run to two or three lines): only
# for the progress bar of a long roster.
ROSTER_ROWS_PER_PAGE = 10
ROSTER_HEADERS = ["編號", "機關", "單位", "職稱", "姓名", "獎勵", "事由", "依據"]


def render_roster_pdf(
    plan: Plan | None, employees=None, scope: str = "", progress=None, *, decisions=None, order_number: str = ""
) -> bytes:
    """The 敘獎名冊 as PDF: a plan's filed decisions, or (`decisions`, `order_number`) one 獎懲令's issued ones.

    Over ROSTER_BACKGROUND_THRESHOLD decisions the roster is rendered in parts of
    portal.pdf.PART_ROWS rows and joined (issue 20, "Large documents"): memory stays that of one
    part; 編號 runs on across parts, the title opens the first and the signature boxes close the last.
    """
    from django.conf import settings

    from portal.pdf import fitted_widths, parts_of, render_pdf, render_pdf_in_parts

    decisions = list(roster_decisions(plan, employees, decisions))
    if progress:
        progress(20)
    order_date = next((d.order_date for d in decisions if d.order_date), None) if order_number else None
    cells = [
        [
            str(n),
            d.employee.agency.name,
            d.employee.unit.name if d.employee.unit else "",
            d.employee.title,
            d.employee.name,
            f"{d.get_award_display()}{d.count}次",
            d.reason,
            max(d.basis_lines, key=len),
        ]
        for n, d in enumerate(decisions, 1)
    ]
    # The basis prints as two lines (the plan's year, then its clause), each whole.
    widths = fitted_widths(ROSTER_HEADERS, cells, wrap=(6,), orientation="landscape", font_pt=10.5)
    del cells
    context = {
        "plan": plan,
        "scope": scope,
        "widths": widths,
        "order_number": order_number,
        "order_date": order_date,
    }
    if len(decisions) > settings.ROSTER_BACKGROUND_THRESHOLD:
        parts = [{**part, "decisions": part.pop("rows")} for part in parts_of(decisions)]
        return render_pdf_in_parts("incentives/roster.html", context, parts, progress=progress)
    return render_pdf(
        "incentives/roster.html",
        {**context, "decisions": decisions, "offset": 0, "first": True, "last": True},
        progress=progress,
        expected_pages=len(decisions) // ROSTER_ROWS_PER_PAGE + 1,
    )


def build_roster_document(document, progress) -> tuple[bytes, str]:
    """The roster as a generated document (registered in incentives.apps), in its requester's scope."""
    from portal.access import get_visible_or_404
    from portal.permissions import scope_label

    user = document.requested_by
    if user is None:
        raise ValueError("the requester of this roster no longer exists")
    plan = get_visible_or_404(user, Plan, slug=document.parameters["plan"])  # still theirs when the job runs
    return render_roster_pdf(
        plan, roster_employees(user), scope_label(user), progress=progress
    ), f"{plan.slug}-roster.pdf"


def tally_rows(plan: Plan, rule: dict, employees):
    """Per person: posts, replies and excluded in the rule's window, with the award they earn."""
    from django.db.models import Sum

    from courses.models import ForumTally

    from .evaluation import evaluate

    start, end = dt.date.fromisoformat(rule["window"]["start"]), dt.date.fromisoformat(rule["window"]["end"])
    totals = {
        row["employee_id"]: row
        for row in ForumTally.objects.filter(employee__in=employees, window_start__gte=start, window_end__lte=end)
        .values("employee_id")
        .annotate(p=Sum("posts"), r=Sum("replies"), x=Sum("excluded"))
    }
    awards = {e.employee_id: [a for a in e.awards if a.rule == rule["code"]] for e in evaluate(plan, end, employees)}
    rows = []
    for employee in (
        employees.filter(pk__in=list(totals))
        .select_related("agency", "unit")
        .order_by("agency__name", "unit__name", "name")
    ):
        t = totals[employee.pk]
        earned = awards.get(employee.pk) or []
        rows.append(
            {
                "agency": employee.agency.name,
                "unit": employee.unit.name if employee.unit else "",
                "title": employee.title,
                "name": employee.name,
                "posts": t["p"],
                "replies": t["r"],
                "excluded": t["x"],
                "counted": t["p"] + t["r"] - t["x"],
                "award": "、".join(f"{AWARD_LABEL[a.award]}{a.count}次" for a in earned),
            }
        )
    return start, end, rows


TALLY_HEADERS = ["編號", "機關", "單位", "職稱", "姓名", "發表篇數", "回應篇數", "不計入篇數", "計入篇數", "擬獎勵"]


def render_tally_sheet_pdf(plan: Plan, rule: dict, employees, scope: str = "") -> bytes:
    """The forum tally sheet (Tainan 附件1): one agency's sheet is portrait and names the agency
    above the table; a sheet over several agencies is landscape with an agency column. The
    columns are fitted to the names, titles and units so none wraps."""
    from portal.pdf import fitted_widths, render_pdf

    start, end, rows = tally_rows(plan, rule, employees)
    agencies = sorted({row["agency"] for row in rows})
    one_agency = len(agencies) == 1
    keys = ["number", "agency", "unit", "title", "name", "posts", "replies", "excluded", "counted", "award"]
    if one_agency:
        keys.remove("agency")
    headers = [
        TALLY_HEADERS[
            ["number", "agency", "unit", "title", "name", "posts", "replies", "excluded", "counted", "award"].index(k)
        ]
        for k in keys
    ]
    cells = [[str(n)] + [str(row[k]) for k in keys[1:]] for n, row in enumerate(rows, 1)]
    orientation = "portrait" if one_agency or not rows else "landscape"
    return render_pdf(
        "incentives/tally_sheet.html",
        {
            "plan": plan,
            "rule": rule,
            "rows": rows,
            "start": start,
            "end": end,
            "scope": scope,
            "agency": agencies[0] if one_agency else "",
            "landscape": orientation == "landscape",
            "widths": fitted_widths(headers, cells, orientation=orientation, font_pt=11),
            "deadline": dt.date.fromisoformat(rule["filing_deadline"]) if rule.get("filing_deadline") else None,
        },
    )


# KPIs that have a figure per agency as well as overall (incentives.kpis.AgencyFigures): a short
# column heading and the agency's figure.
PER_AGENCY_KPIS = {
    "digital_5h_share": ("達 5 小時比率", lambda a: a.digital_share),
    "average_hours": ("平均學習時數", lambda a: a.average_hours),
    "average_digital_hours": ("平均數位學習時數", lambda a: round(float(a.digital) / a.staff, 1) if a.staff else 0.0),
}
PDF_FONT = "AR PL UKai TW"


def report_period(plan: Plan) -> tuple[dt.date, dt.date]:
    """The plan's period, or its ROC year when the plan gives none (as the KPI dashboard counts)."""
    return (
        plan.starts_on or dt.date(plan.roc_year + 1911, 1, 1),
        plan.ends_on or dt.date(plan.roc_year + 1911, 12, 31),
    )


def kpi_report_context(plan: Plan, viewer=None) -> dict:
    from decimal import Decimal

    from .kpis import bar_charts, figures, kpi_rows, seed_teachers

    start, end = report_period(plan)
    data = figures(plan, start, end)
    agencies, kpis = data["agencies"], kpi_rows(plan, data["overall"])
    targets = {k["code"]: k["target"] for k in kpis if k.get("code") in PER_AGENCY_KPIS and k.get("target") is not None}
    # Each agency against the plan's targets; without such targets, the two figures the dashboard shows.
    columns = [
        {"code": k["code"], "title": PER_AGENCY_KPIS[k["code"]][0], "target": k["target"], "unit": k.get("unit", "")}
        for k in kpis
        if k.get("code") in targets
    ] or [
        {"code": "digital_5h_share", "title": PER_AGENCY_KPIS["digital_5h_share"][0], "target": None, "unit": "%"},
        {"code": "average_hours", "title": PER_AGENCY_KPIS["average_hours"][0], "target": None, "unit": ""},
    ]
    rows = []
    for agency in agencies:
        cells = []
        for column in columns:
            value = PER_AGENCY_KPIS[column["code"]][1](agency)
            met = None if column["target"] is None else Decimal(str(value)) >= Decimal(str(column["target"]))
            cells.append({"value": value, "unit": column["unit"], "met": met})
        rows.append({"agency": agency, "cells": cells})
    return {
        "plan": plan,
        "start": start,
        "end": end,
        "overall": data["overall"],
        "kpis": kpis,
        "columns": columns,
        "rows": rows,
        "seed_teachers": seed_teachers(plan, viewer),
        "has_registry": plan.activities.filter(kind="talent_registry").exists(),
        "share_charts": bar_charts(
            "各機關數位學習達 5 小時比率",
            [(a.name, a.digital_share) for a in agencies],
            "#0b5cab",
            maximum=100,
            target=targets.get("digital_5h_share"),
            font=PDF_FONT,
        ),
        "hours_charts": bar_charts(
            "各機關平均學習時數",
            [(a.name, a.average_hours) for a in agencies],
            "#2f855a",
            target=targets.get("average_hours"),
            font=PDF_FONT,
        ),
    }


def render_kpi_report_pdf(plan: Plan, viewer=None) -> bytes:
    """The KPI report; with a `viewer`, the registry's names are those they may see."""
    from portal.pdf import render_pdf

    return render_pdf("incentives/kpi_report.html", kpi_report_context(plan, viewer), css=("report.css",))
