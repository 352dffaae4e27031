import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from courses.models import LearningRecord
from portal.exporters import workbook_bytes
from portal.models import Employee, Unit
from portal.permissions import is_hr, require_coordinator_or_hr, scope_label
from programs.models import Plan

from . import services
from .evaluation import evaluate
from .facts import covered_employees
from .kpis import chart_bars, figures, kpi_rows
from .models import Decision
from .reports import render_roster_pdf, render_tally_sheet_pdf

ZERO = Decimal(0)


def yearly_minimum(year: int) -> dict:
    """National minimum learning hours, a per-year setting (DOMAIN.md, "Targets")."""
    table = getattr(settings, "YEARLY_MINIMUM_HOURS", {})
    applicable = [y for y in table if y <= year]
    return table[max(applicable)] if applicable else {"total": 20, "set_topics": 10}


@login_required
def my_standing(request):
    if not request.user.employee_id:
        raise PermissionDenied
    employee = request.user.employee
    asked = request.GET.get("year", "")
    if asked.isdigit() and 1990 < int(asked) < 2100:
        year = int(asked)
    else:  # the latest year the person learned in, so a page never opens on an empty year by default
        latest = LearningRecord.objects.filter(employee=employee).order_by("-completed_on").values_list("completed_on", flat=True).first()
        year = latest.year if latest else dt.date.today().year
    records = LearningRecord.objects.filter(employee=employee, completed_on__year=year)
    totals = records.aggregate(total=Sum("hours", default=ZERO), digital=Sum("digital_hours", default=ZERO),
                               job=Sum("hours", filter=Q(job_related=True), default=ZERO))
    by_month = dict(records.annotate(month=ExtractMonth("completed_on")).values_list("month").annotate(Sum("hours")))
    minimum = yearly_minimum(year)
    plans = []
    for plan in Plan.objects.select_related("issuer"):  # a handful of plans, each evaluated for this one person
        result = evaluate(plan, employees=covered_employees(plan).filter(pk=employee.pk))
        if result:
            plans.append((plan, result[0]))
    decisions = Decision.objects.filter(employee=employee).select_related("plan").order_by("-updated_at")
    return render(request, "incentives/my_standing.html", {
        "employee": employee, "year": year, "roc_year": year - 1911, "totals": totals, "minimum": minimum,
        "months": [(m, by_month.get(m, ZERO)) for m in range(1, 13)],
        "share": min(int(totals["total"] / minimum["total"] * 100), 100) if minimum["total"] else 100,
        "plans": plans, "decisions": decisions,
    })


def _staff_rows(request, plan):
    employees = covered_employees(plan) & Employee.objects.visible_to(request.user)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        employees = employees.filter(unit_id=int(unit))
    results = evaluate(plan, employees=employees)
    status = request.GET.get("status", "")
    if status == "met":
        results = [r for r in results if r.awards]
    elif status == "near":
        results = [r for r in results if r.nearly_met]
    order = request.GET.get("sort", "")
    if order == "awards":
        results.sort(key=lambda r: -sum(a.weight for a in r.awards))
    elif order == "name":
        results.sort(key=lambda r: (r.agency, r.unit, r.name))
    return results


@login_required
def staff_standing(request, slug):
    require_coordinator_or_hr(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    if request.method == "POST":
        chosen = [int(i) for i in request.POST.getlist("employee") if i.isdigit()]
        try:
            filed = services.file_requests(request.user, plan, chosen)
            messages.success(request, f"已提報 {len(filed)} 件獎勵案。")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(request.get_full_path())
    results = _staff_rows(request, plan)
    if request.GET.get("format") == "xlsx":
        rows = [[r.agency, r.unit, r.name, r.award_counts["commendation"], r.award_counts["merit"],
                 r.award_counts["major_merit"], float(r.leave_hours), "；".join(a.text for a in r.awards),
                 "；".join(p.text for p in r.progress if not p.met)] for r in results]
        data = workbook_bytes(plan.slug, ["機關", "單位", "姓名", "嘉獎", "記功", "記大功", "補休時數", "事由", "尚缺"], rows)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{plan.slug}-standing.xlsx"'
        return response
    return render(request, "incentives/staff_standing.html", {
        "plan": plan, "results": results, "units": Unit.objects.visible_to(request.user).select_related("agency"),
        "query": request.GET, "tally_sheet": (services.tally_sheet_rule(plan) or {}).get("tally_sheet", ""),
    })


@login_required
def kpi_dashboard(request, slug):
    if not is_hr(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, slug=slug)
    start = plan.starts_on or dt.date(plan.roc_year + 1911, 1, 1)
    end = plan.ends_on or dt.date(plan.roc_year + 1911, 12, 31)
    data = figures(plan, start, end)
    agencies = data["agencies"]
    return render(request, "incentives/kpi.html", {
        "plan": plan, "overall": data["overall"], "kpis": kpi_rows(plan, data["overall"]), "agencies": agencies,
        "share_bars": chart_bars([(a.name, a.digital_share) for a in agencies], 100),
        "hours_bars": chart_bars([(a.name, a.average_hours) for a in agencies]),
        "chart_height": 26 * len(agencies) + 10,
    })


@login_required
def roster_pdf(request, slug):
    require_coordinator_or_hr(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    employees = None if is_hr(request.user) else Employee.objects.visible_to(request.user)
    return _pdf(render_roster_pdf(plan, employees, scope_label(request.user)), f"{plan.slug}-roster.pdf")


@login_required
def tally_sheet_pdf(request, slug):
    require_coordinator_or_hr(request.user)
    plan = get_object_or_404(Plan, slug=slug)
    rule = services.tally_sheet_rule(plan)
    if rule is None:
        raise Http404("本計畫不需統計表")
    employees = covered_employees(plan) & Employee.objects.visible_to(request.user)
    return _pdf(render_tally_sheet_pdf(plan, rule, employees, scope_label(request.user)), f"{plan.slug}-tally.pdf")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
