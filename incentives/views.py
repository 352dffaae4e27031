import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.shortcuts import render

from courses.models import LearningRecord
from programs.models import Plan

from .evaluation import evaluate
from .facts import covered_employees
from .models import Decision

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
    year = int(asked) if asked.isdigit() and 1990 < int(asked) < 2100 else dt.date.today().year
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
