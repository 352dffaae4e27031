from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import clock, pagecache, rocdate
from portal.access import get_visible_or_404
from portal.exporters import list_download
from portal.models import Agency, Employee, Unit
from portal.paging import paginate, query_without
from portal.params import ids, query_int
from portal.pdf import pdf_response
from portal.permissions import is_hr, national_id_for, require_coordinator_or_hr, scope_label
from portal.services import request_document
from programs.models import Plan
from programs.queries import plans_run_by

from . import kinds, kpis, queries, services, standing, summaries
from .evaluation import warnings as plan_warnings
from .facts import covered_employees
from .forms import GrantForm, discretionary_rules
from .kpis import bar_chart, figures, kpi_rows
from .models import Decision
from .reports import render_kpi_report_pdf, render_roster_pdf, render_tally_sheet_pdf, roster_employees, roster_queryset


@login_required
def my_standing(request):
    """The person's own page (/incentives/me/). Its content — everything but the shell of nav,
    CSRF token and messages — is kept in the never-stale page cache (portal.pagecache, issue 20)
    under the data generation, the user, the person, today, the language and `?year=`: a hit
    reads the session and the cache (the user too comes from it: portal.middleware), nothing else."""
    if not request.user.employee_id:
        raise PermissionDenied
    year = query_int(request.GET, "year", minimum=1991, maximum=2099)
    cached = pagecache.may_use(connection)
    if cached:
        key = ("me", request.user.pk, request.user.employee_id, clock.today(), translation.get_language(), year)
        generation, content = pagecache.lookup(*key)
        if content is not None:
            return render(request, "incentives/my_standing.html", {"content": content})
    content = _my_standing_content(request.user, year)
    if cached:
        pagecache.store(generation, content, *key)
    return render(request, "incentives/my_standing.html", {"content": content})


def _my_standing_content(user, year: int | None) -> SafeString:
    """The page's content as HTML, computed afresh (`standing.my_standing`)."""
    employee = get_visible_or_404(user, Employee.objects.select_related("agency", "unit"), pk=user.employee_id)
    me = standing.my_standing(employee, year)
    year = me.year
    # The switcher offers every year of the person's learning and of their plans; a year shows that
    # year's plans (standing.plans_of_year), and the leave section only where a plan
    # of theirs gives leave or they have leave to see.
    me.years = sorted(set(me.years) | set(me.plan_years), reverse=True)
    shows_leave = (
        any(r.leave for p in me.plans for r in p.rules) or bool(me.leave.earned) or bool(me.leave.applications)
    )
    return render_to_string(
        "incentives/_my_standing_content.html", {"me": me, "roc_year": year - 1911, "shows_leave": shows_leave}
    )


# The staff page shows this many people at a time (issue 20); `?per=` picks another of these.
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
STANDING_FILTERS = ("unit", "rule", "status", "sort")


def _filters(get) -> dict:
    # The filters reach SQL now: a NUL byte, which PostgreSQL refuses in a string, matches nothing.
    return {key: get.get(key, "").replace("\x00", "\ufffd")[:100] for key in STANDING_FILTERS}


def _page_size(get) -> int:
    size = query_int(get, "per", minimum=1, maximum=max(PAGE_SIZES))
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _badge_labels() -> dict[str, str]:
    """The decision statuses as the staff page's badges say them (translated once per page)."""
    return {
        Decision.Status.REQUESTED: _("已提報"),
        Decision.Status.APPROVED: _("已核定"),
        Decision.Status.ISSUED: _("已發布"),
        Decision.Status.REJECTED: _("不予核定"),
        Decision.Status.WITHHELD: _("人事保留"),
    }


@login_required
def staff_standing(request, slug):
    """A coordinator's (or HR's) staff under a plan, one page at a time (issue 20): the filters
    ("rule met or nearly met") and sorts run in SQL on the stored standings (incentives.refresh),
    then only the page's people are evaluated, so the page makes the same queries for 10 people
    or 50,000. 「全部」 XLSX/PDF over STANDING_BACKGROUND_THRESHOLD people is a background job."""
    from . import refresh

    require_coordinator_or_hr(request.user)
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and request.POST.get("refresh"):
        refresh.standings_changed([plan.pk])
        if refresh.refreshes_in_request(plan):
            refresh.refresh_standings(plan)
        messages.success(request, _("已排定重新整理達成情形。"))
        return redirect(request.get_full_path())
    stored = refresh.ensure_fresh(plan)
    filters = _filters(request.GET)
    employees = queries.standing_queryset(
        request.user, plan, **filters, complete=stored is not None and stored.counts_current
    )
    if request.method == "POST" and source.get("export") in ("xlsx", "pdf"):
        document = request_document(
            request.user,
            "standing",
            {"plan": plan.slug, **filters, "format": source["export"]},
            title=_("%(plan)s 人員達成情形（%(scope)s）") % {"plan": plan.title, "scope": scope_label(request.user)},
        )
        return redirect("document", pk=document.pk)
    if request.method == "POST":
        if request.POST.get("all"):  # every person the filters show with an award not yet filed, in one go
            refresh.ensure_fresh(plan, before_filing=True)
            chosen = list(queries.awards_to_file(plan, employees)[1])
        else:
            chosen = ids(request.POST.getlist("employee"))
        if not chosen:
            messages.error(request, _("請至少勾選一位符合獎勵的人員。"))
            return redirect(request.get_full_path())
        try:
            filed = services.file_requests(request.user, plan, chosen)
            messages.success(request, _("已提報 %(n)d 件獎勵案。") % {"n": len(filed)})
            late = queries.past_deadline(plan, chosen, clock.today())
            if late and not is_hr(request.user):
                messages.warning(
                    request,
                    _("%(names)s的獎勵已逾申報期限（%(deadline)s），未提報；逾期案件請洽人事單位受理。")
                    % {
                        "names": "、".join(dict.fromkeys(d.employee.name for d in late)),
                        "deadline": "、".join(
                            sorted({rocdate.to_roc_long(services.filing_deadline(plan, d.rule_code)) for d in late})
                        ),
                    },
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(request.get_full_path())
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        count = employees.count()
        if count > settings.STANDING_BACKGROUND_THRESHOLD:
            return render(
                request,
                "incentives/standing_background.html",
                {"plan": plan, "count": count, "format": fmt, "query": query_without(request.GET, "format")},
            )
        from .exports import STANDING_HEADERS, standing_rows

        rows = list(standing_rows(request.user, plan, list(employees.values_list("pk", flat=True))))
        return list_download(
            fmt,
            f"{plan.slug}-standing",
            f"{plan.title}：人員達成情形",
            scope_label(request.user),
            STANDING_HEADERS,
            rows,
            landscape=True,
        )
    per = _page_size(request.GET)
    # The totals from the counts kept with the stored standings when they are current (a few
    # rows whatever the agency's size), else counted live.
    counted = queries.stored_counts(
        request.user, plan, **{k: v for k, v in filters.items() if k != "sort"}, refresh=stored
    )
    total, with_award = counted if counted is not None else (None, None)
    page = paginate(request.GET, employees.values_list("pk", flat=True), size=per, count=total)
    results = queries.evaluate_page(plan, list(page.object_list))
    statuses = queries.filed_statuses(plan, results)
    notes = queries.decision_notes(plan, results)
    hours = summaries.hours_in_period(plan, [r.employee_id for r in results])
    short = summaries.shortfalls(plan, results)
    badges = _badge_labels()
    rows = [
        (
            r,
            [(s, badges.get(s, "")) for s in statuses.get(r.employee_id, []) if s != Decision.Status.ELIGIBLE],
            queries.still_to_file(r, statuses.get(r.employee_id, [])),
            notes.get(r.employee_id, []),
            hours.get(r.employee_id, summaries.Hours()),
            short[r.employee_id],
        )
        for r in results
    ]
    rules = [(r["code"], standing.rule_label(r, {})) for r in kinds.award_rules(plan.parameters.get("rules", []))]
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    return render(
        request,
        "incentives/staff_standing.html",
        {
            "plan": plan,
            "results": results,
            "rows": rows,
            "page": page,
            "count": page.paginator.count,
            "eligible": queries.awards_to_file(plan, employees, with_award)[0],
            "page_query": query_without(request.GET, "page"),
            "per": per,
            "page_sizes": PAGE_SIZES,
            "stored": stored,
            "units": Unit.objects.visible_to(request.user).select_related("agency"),
            "rules": rules,
            "query": request.GET,
            "sort_base": f"?{query.urlencode()}&" if query else "?",
            "sort": request.GET.get("sort", ""),
            "tally_sheet": (services.tally_sheet_rule(plan) or {}).get("tally_sheet", ""),
            "warnings": plan_warnings(plan),
            # The column names, translated once for the whole page (never inside the row loop).
            "labels": {
                "pick": _("提報"),
                "unit": _("機關／單位"),
                "name": _("姓名"),
                "commendation": _("嘉獎"),
                "merit": _("記功"),
                "leave": _("補休"),
                "hours": _("學習時數"),
                "digital": _("數位時數"),
                "reasons": _("事由與尚缺"),
            },
        },
    )


@login_required
def kpi_dashboard(request, slug):
    if not is_hr(request.user):
        raise PermissionDenied
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    data = figures(plan, *kpis.period(plan))
    agencies = data["agencies"]
    return render(
        request,
        "incentives/kpi.html",
        {
            "plan": plan,
            "overall": data["overall"],
            "kpis": kpi_rows(plan, data["overall"]),
            "agencies": agencies,
            "share_chart": bar_chart(
                _("各機關數位學習達 5 小時比率"), [(a.name, a.digital_share) for a in agencies], "#0b5cab", maximum=100
            ),
            "hours_chart": hours_chart(plan, agencies),
            # The registry's people: all of them for the plan's own HR, else those the officer may see.
            "seed_teachers": kpis.seed_teachers(plan, request.user),
            "has_registry": plan.activities.filter(kind="talent_registry").exists(),
        },
    )


def hours_chart(plan: Plan, agencies) -> dict:
    """Tainan's 80-hour KPI (捌、一、（二）) is the average of *digital* hours: chart what the plan measures."""
    if any(k.get("code") == "average_digital_hours" for k in plan.kpis):
        return bar_chart(_("各機關平均數位學習時數"), [(a.name, a.average_digital_hours) for a in agencies], "#2f855a")
    return bar_chart(_("各機關平均學習時數"), [(a.name, a.average_hours) for a in agencies], "#2f855a")


@login_required
def kpi_report_pdf(request, slug):
    """The KPI dashboard as a printed report: targets against figures, per agency, with its charts."""
    if not is_hr(request.user):
        raise PermissionDenied
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    return pdf_response(render_kpi_report_pdf(plan, request.user), f"{plan.slug}-kpi.pdf")


@login_required
def kpi_people(request, slug, figure):
    """The people behind one figure of the KPI dashboard: HR for every agency, a coordinator for their own."""
    require_coordinator_or_hr(request.user)
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    if figure not in kpis.FIGURES:
        raise Http404("沒有這項指標")
    agency = None
    if (agency_id := query_int(request.GET, "agency")) is not None:
        agency = get_visible_or_404(request.user, Agency, pk=agency_id)
    employees = covered_employees(plan) & Employee.objects.visible_to(request.user)
    people = kpis.figure_people(plan, figure, employees, agency.pk if agency else None)
    start, end = kpis.period(plan)
    title = f"{plan.title}：{kpis.FIGURES[figure]}"
    scope = agency.name if agency else scope_label(request.user)
    columns = kpis.figure_columns(figure)
    rows = [
        [
            p.employee.agency.name,
            p.employee.unit.name if p.employee.unit else "",
            p.employee.title,
            p.employee.name,
            national_id_for(request.user, p.employee.national_id),
        ]
        + [getattr(p, c) for c, _label in columns]
        for p in people
    ]
    download = list_download(
        request.GET.get("format", ""),
        f"{plan.slug}-{figure}",
        title,
        scope,
        ["機關", "單位", "職稱", "姓名", "身分證字號"] + [str(label) for _c, label in columns],
        rows,
        landscape=True,
    )
    if download:
        return download
    return render(
        request,
        "incentives/kpi_people.html",
        {
            "plan": plan,
            "figure": figure,
            "heading": kpis.FIGURES[figure],
            "agency": agency,
            "people": people,
            "columns": columns,
            "start": start,
            "end": end,
            "scope": scope,
            "is_hr": is_hr(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def roster_pdf(request, slug):
    """The roster at once; a long one (ROSTER_BACKGROUND_THRESHOLD) is rendered by a job on request (POST)."""
    require_coordinator_or_hr(request.user)
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    if request.method == "POST":
        document = request_document(
            request.user, "roster", {"plan": plan.slug}, title=f"{plan.title} 敘獎名冊（{scope_label(request.user)}）"
        )
        return redirect("document", pk=document.pk)
    employees = roster_employees(request.user)
    count = roster_queryset(plan, employees).count()
    if count > settings.ROSTER_BACKGROUND_THRESHOLD:
        return render(request, "incentives/roster_background.html", {"plan": plan, "count": count})
    return pdf_response(render_roster_pdf(plan, employees, scope_label(request.user)), f"{plan.slug}-roster.pdf")


@login_required
def tally_sheet_pdf(request, slug):
    require_coordinator_or_hr(request.user)
    plan = get_visible_or_404(request.user, Plan, slug=slug)
    rule = services.tally_sheet_rule(plan)
    if rule is None:
        raise Http404("本計畫不需統計表")
    employees = covered_employees(plan) & Employee.objects.visible_to(request.user)
    return pdf_response(
        render_tally_sheet_pdf(plan, rule, employees, scope_label(request.user)), f"{plan.slug}-tally.pdf"
    )


# The desk's buttons: action → (service taking user, decisions, reason; message). Every one goes through a service.
DESK_ACTIONS = {
    "approve": (lambda user, chosen, _reason: services.approve_all(user, chosen), gettext_lazy("已核定 %(n)d 件。")),
    "return": (services.return_to_coordinator, gettext_lazy("已退回機關 %(n)d 件。")),
    "reject": (services.reject_all, gettext_lazy("已不予核定 %(n)d 件。")),
    "withhold": (services.withhold_all, gettext_lazy("已保留 %(n)d 件。")),
    "late": (services.accept_late, gettext_lazy("已受理逾期提報 %(n)d 件。")),
}


DESK_PAGE_SIZE = 200


def _rule_label(plan, code: str) -> str:
    rule = next((r for r in plan.parameters.get("rules", []) if r.get("code") == code), None)
    if rule is None:
        return code
    label = standing.rule_label(rule, {})
    return f"{label}（{rule['clause']}）" if rule.get("clause") else label


@login_required
def decisions(request):
    """HR's decision desk (獎勵案): filter, approve, return, reject, withhold, accept late, grant by
    override, issue one 獎懲令 for many, and print its roster. HR only; an officer serving one
    government sees only what `Decision.objects.visible_to` gives them."""
    if not is_hr(request.user):
        raise PermissionDenied
    get = request.GET
    plans = list(plans_run_by(request.user))
    plan = next((p for p in plans if p.slug == get.get("plan")), None)
    if request.method == "POST":
        return _desk_post(request, plan)
    decisions_found = queries.desk_decisions(
        request.user,
        plan=get.get("plan", ""),
        rule=get.get("rule", ""),
        status=get.get("status", ""),
        agency=get.get("agency", ""),
        order=get.get("order", ""),
    )
    page = paginate(get, decisions_found, size=DESK_PAGE_SIZE)
    rows = list(page.object_list)
    labels, deadlines, today = {}, {}, clock.today()
    for d in rows:
        key = (d.plan_id, d.rule_code)
        if key not in labels:
            labels[key] = _rule_label(d.plan, d.rule_code)
            deadlines[key] = services.filing_deadline(d.plan, d.rule_code)
        d.rule_label, d.deadline = labels[key], deadlines[key]
        d.late = bool(d.deadline and today > d.deadline and d.status == Decision.Status.ELIGIBLE)
        d.shown_id = national_id_for(request.user, d.employee.national_id)
    rules = {}
    for p in [plan] if plan else plans:
        for r in kinds.award_rules(p.parameters.get("rules", [])):
            rules.setdefault(r["code"], _rule_label(p, r["code"]))
    orders = sorted({(d.order_number, d.order_date) for d in rows if d.order_number}, key=lambda o: (o[1], o[0]))
    return render(
        request,
        "incentives/decisions.html",
        {
            "rows": rows,
            "page": page,
            "page_query": query_without(get, "page"),
            "plans": plans,
            "plan": plan,
            "rules": sorted(rules.items()),
            "statuses": Decision.Status.choices,
            "agencies": Agency.objects.visible_to(request.user).order_by("level", "name"),
            "query": get,
            "orders": [
                (number, day, f"{reverse('incentives:order-roster')}?{urlencode({'order': number})}")
                for number, day in orders
            ],
            "grant_form": GrantForm(user=request.user, plan=plan) if plan and discretionary_rules(plan) else None,
        },
    )


def _desk_post(request, plan):
    post, user, back = request.POST, request.user, request.get_full_path()
    action = post.get("action", "")
    try:
        if action == "evaluate":  # the plan's latest data as eligible decisions (requested ones stay)
            if plan is None:
                raise ValidationError(_("請先選擇年度計畫。"))
            employees = covered_employees(plan) & Employee.objects.visible_to(user)
            # As of today (or the plan's last day, once it is over): what the data holds now.
            as_of = min(plan.ends_on, clock.today()) if plan.ends_on else clock.today()
            counts = services.save_evaluation(user, plan, as_of, employees=employees)
            messages.success(
                request,
                _(
                    "已依目前資料評估：新增 %(created)d 件、更新 %(updated)d 件、未變動 %(unchanged)d 件、保留 %(kept)d 件。"
                )
                % counts,
            )
            return redirect(back)
        if action == "grant":
            if plan is None:
                raise Http404
            form = GrantForm(post, user=user, plan=plan)
            if not form.is_valid():
                raise ValidationError(
                    [
                        "%s：%s" % (form.fields[f].label if f in form.fields else "", "".join(e))
                        for f, e in form.errors.items()
                    ]
                )
            data = form.cleaned_data
            services.override(
                user,
                plan,
                data["employee"],
                data["rule_code"],
                grant=True,
                reason=data["reason"],
                award=data["award"],
                count=data["count"],
            )
            messages.success(request, _("已核給 %(name)s 獎勵，請勾選後提報或核定。") % {"name": data["employee"].name})
            return redirect(back)
        ids = {int(i) for i in post.getlist("decision") if i.isdigit()}
        if not ids:
            raise ValidationError(_("請至少勾選一件獎勵案。"))
        chosen = list(Decision.objects.visible_to(user).filter(pk__in=ids).select_related("employee", "plan"))
        if len(chosen) != len(ids):
            raise Http404
        if action == "issue":
            number = post.get("order_number", "").strip()
            done = services.issue_order(user, chosen, number, post.get("order_date", ""))
            messages.success(
                request,
                _("已發布獎懲令 %(number)s，共 %(n)d 人；可列印敘獎名冊。") % {"number": number, "n": len(done)},
            )
            return redirect(f"{reverse('incentives:decisions')}?{urlencode({'order': number})}")
        if action not in DESK_ACTIONS:
            raise ValidationError(_("請選擇要執行的動作。"))
        service, message = DESK_ACTIONS[action]
        done = service(user, chosen, post.get("reason", ""))
        messages.success(request, message % {"n": len(done)})
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect(back)


@login_required
def order_roster_pdf(request):
    """The roster (敘獎名冊) of one 獎懲令: `?order=<文號>`, the issued decisions the user may see."""
    if not is_hr(request.user):
        raise PermissionDenied
    number = request.GET.get("order", "").strip()
    decisions = Decision.objects.visible_to(request.user).filter(order_number=number, status=Decision.Status.ISSUED)
    if not number or not decisions.exists():
        raise Http404("沒有這份獎懲令")
    return pdf_response(
        render_roster_pdf(None, scope=scope_label(request.user), decisions=decisions, order_number=number),
        "order-roster.pdf",
    )


def _reviewed_plan(request, slug) -> Plan:
    """A plan the HR officer's government issued (RAD's HR: the central plans), else 404 or 403."""
    from programs.queries import plans_reviewed_by

    if not is_hr(request.user):
        raise PermissionDenied
    return get_visible_or_404(request.user, plans_reviewed_by(request.user), slug=slug)


@login_required
def plan_rules(request, slug):
    """HR's list of a plan's rules, each opening its form (Chinese names, never the raw JSON)."""
    from courses.models import CourseList

    plan = _reviewed_plan(request, slug)
    list_names = dict(CourseList.objects.filter(plan=plan).values_list("slug", "name"))
    rows = [
        {
            "code": r.get("code", ""),
            "clause": r.get("clause", ""),
            "label": standing.rule_label(r, list_names),
            "kind": kinds.kind_of(r).title if kinds.kind_of(r) else r.get("kind", ""),
            "draws": r.get("kind") == "lottery" and bool(r.get("seasons")),
        }
        for r in plan.parameters.get("rules", [])
        if isinstance(r, dict)
    ]
    version = plan.rule_versions.order_by("-number").first()
    return render(
        request,
        "incentives/rules.html",
        {"plan": plan, "rows": rows, "version": version, "warnings": plan_warnings(plan)},
    )


@login_required
def rule_edit(request, slug, code):
    """HR edits one rule in a form made from its kind's schema; saving makes a new rule version."""
    from courses.models import CourseList

    from .evaluation import plan_refs
    from .rule_forms import RuleForm

    plan = _reviewed_plan(request, slug)
    rule = next((r for r in plan.parameters.get("rules", []) if isinstance(r, dict) and r.get("code") == code), None)
    if rule is None or kinds.kind_of(rule) is None:
        raise Http404
    form = RuleForm(rule, plan_refs(plan), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.update_rule(request.user, plan, form.rule())
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("已儲存規則 %(code)s（規則版本 %(n)d）。") % {"code": code, "n": version.number}
            )
            return redirect("incentives:rule-edit", slug=plan.slug, code=code)
    list_names = dict(CourseList.objects.filter(plan=plan).values_list("slug", "name"))
    return render(
        request,
        "incentives/rule_edit.html",
        {
            "plan": plan,
            "rule": rule,
            "kind": kinds.kind_of(rule),
            "form": form,
            "label": standing.rule_label(rule, list_names),
        },
    )


@login_required
def draws(request, slug):
    """HR runs a plan's seasonal draws: publish each season's seed in advance, draw after it ends."""
    from .models import Draw
    from .seasons import lottery_rule, season_chances

    plan = _reviewed_plan(request, slug)
    rule = lottery_rule(plan)
    if rule is None:
        raise Http404
    if request.method == "POST":
        season = request.POST.get("season", "")
        try:
            if request.POST.get("action") == "publish":
                services.publish_seed(request.user, plan, season, request.POST.get("seed", ""))
                messages.success(request, _("已公布抽獎種子。"))
            elif request.POST.get("action") == "draw":
                draw = services.run_draw(request.user, plan, season)
                messages.success(
                    request, _("%(season)s已抽出 %(n)d 名。") % {"season": draw.season_name, "n": len(draw.winners)}
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("incentives:draws", slug=plan.slug)
    done = {d.season: d for d in Draw.objects.filter(plan=plan, rule_code=rule["code"])}
    seasons = []
    for season in rule["seasons"]:
        draw = done.get(season["slug"])
        chances = (
            draw.chances
            if draw and draw.status == Draw.Status.DRAWN
            else [c.line for c in season_chances(plan, rule, season)[0]]
        )
        seasons.append(
            {
                "season": season,
                "draw": draw,
                "chances": len(chances),
                "prizes": season.get("prizes") or rule.get("prizes") or 0,
                "starts_on": rocdate.parse_date(season["starts_on"]) if season.get("starts_on") else None,
                "ends_on": rocdate.parse_date(season["ends_on"]) if season.get("ends_on") else None,
            }
        )
    return render(
        request, "incentives/draws.html", {"plan": plan, "rule": rule, "seasons": seasons, "today": clock.today()}
    )


def _drawn(request, slug, season):
    from .models import Draw

    plan = _reviewed_plan(request, slug)
    return plan, get_visible_or_404(request.user, Draw, plan=plan, season=season, status=Draw.Status.DRAWN)


@login_required
def draw_chances(request, slug, season):
    """The published chance list of a drawn season, exactly as hashed (one line per chance, UTF-8)."""
    from django.http import HttpResponse

    _plan, draw = _drawn(request, slug, season)
    response = HttpResponse("\n".join(draw.chances), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{season}-chances.txt"'
    return response


@login_required
def draw_winners_pdf(request, slug, season):
    """The season's winners as a printed list, with the seed and the chance list's hash."""
    from portal.pdf import render_pdf

    plan, draw = _drawn(request, slug, season)
    rows = [line.split("\t") for line in draw.winners]
    return pdf_response(
        render_pdf("incentives/draw_winners.html", {"plan": plan, "draw": draw, "rows": rows}),
        f"{slug}-{season}-winners.pdf",
    )
