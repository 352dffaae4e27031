from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404
from portal.exporters import list_download
from portal.models import Agency, Employee
from portal.paging import paginate, query_without
from portal.params import ids, parse_int, query_int
from portal.pdf import pdf_response
from portal.permissions import is_hr, national_id_for, require_coordinator_or_hr, scope_label

from . import preview, services
from .forms import PROPOSAL_FIELDS, DecisionForm, ProposalForm
from .models import PROPOSAL_CONTENT, PROPOSAL_HEAD, Activity, Plan, Proposal
from .queries import (
    camp_nominations_visible_to,
    contest_entries_visible_to,
    earlier_selected_proposals,
    nominations_visible_to,
    plans_reviewed_by,
    plans_run_by,
    proposal_team_candidates,
    proposals_to_review,
    proposals_visible_to,
    sessions_open_to,
)
from .reports import render_plan_pdf, render_proposal_pdf


@login_required
def plan_list(request):
    plans = Plan.objects.select_related("issuer").order_by("-roc_year", "slug")
    return render(request, "programs/plan_list.html", {"plans": plans})


@login_required
def plan_detail(request, slug):
    # A published plan is read by anyone signed in (employees too), so not through the Plan scope
    # (the plans a user runs); what they may do on it is decided by `open_to_me` and `reviews`.
    plan = get_object_or_404(Plan.objects.select_related("issuer"), slug=slug)
    activities = plan.activities.prefetch_related("classes__sessions")
    # Camps and proposals are open to the plan's own government (or everyone, for a central plan).
    return render(
        request,
        "programs/plan_detail.html",
        {
            "plan": plan,
            "activities": activities,
            "open_to_me": plans_run_by(request.user).filter(pk=plan.pk).exists(),
            # The plan's HR (who reallocates camp places) finds the camp page here too.
            "reviews": is_hr(request.user) and plans_reviewed_by(request.user).filter(pk=plan.pk).exists(),
        },
    )


@login_required
def plan_pdf(request, slug):
    """The plan as its printed document, from its data (a published plan: anyone signed in may read it)."""
    plan = get_object_or_404(Plan.objects.select_related("issuer"), slug=slug)
    return pdf_response(render_plan_pdf(plan), f"{plan.slug}-plan.pdf")


@login_required
def session_list(request):
    require_coordinator_or_hr(request.user)
    return render(request, "programs/session_list.html", {"sessions": sessions_open_to(request.user)})


@login_required
def nominate(request, pk):
    require_coordinator_or_hr(request.user)
    session = get_visible_or_404(request.user, sessions_open_to(request.user), pk=pk)
    staff = (
        Employee.objects.visible_to(request.user)
        .select_related("agency", "unit")
        .order_by("agency__name", "unit__name", "name")
    )
    unit = request.GET.get("unit", "")
    if (unit_id := parse_int(unit)) is not None:
        staff = staff.filter(unit_id=unit_id)
    if search := request.GET.get("q", "").strip()[:50]:
        staff = staff.filter(name__icontains=search)
    outcomes = None
    if request.method == "POST":
        chosen = ids(request.POST.getlist("employee"))
        if not chosen:
            messages.error(request, _("請至少勾選一位人員。"))
        else:
            outcomes = services.nominate(request.user, session, chosen)
    listed = list(staff[:500])
    agencies = Agency.objects.visible_to(request.user).prefetch_related("units").order_by("name")
    checked = preview.standings(session, listed)
    return render(
        request,
        "programs/nominate.html",
        {
            "session": session,
            "outcomes": outcomes,
            "units": agencies,
            "query": request.GET,
            "search": search,
            "rows": [(e, checked[e.pk]) for e in listed],
            "eligible": sum(1 for s in checked.values() if s.eligible),
            "places": preview.places(session, agencies),
        },
    )


@login_required
def nomination_list(request):
    user = request.user
    nominations = (
        nominations_visible_to(user)
        .select_related("employee__agency", "employee__unit", "session__training_class")
        .order_by("session_id", "priority", "created_at")
    )
    camp = (
        camp_nominations_visible_to(user)
        .select_related("employee__agency", "employee__unit", "activity__plan")
        .order_by("activity_id", "circle", "-is_circle_leader", "employee__name")
    )
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                str(n.session),
                n.employee.agency.name,
                n.employee.unit.name if n.employee.unit else "",
                n.employee.name,
                national_id_for(user, n.employee.national_id),
                n.priority_label,
                n.get_status_display(),
                n.reason,
            ]
            for n in nominations
        ]
        rows += [
            [
                c.activity.name,
                c.employee.agency.name,
                c.employee.unit.name if c.employee.unit else "",
                c.employee.name,
                national_id_for(user, c.employee.national_id),
                _("圈長") if c.is_circle_leader else "",
                _("已推薦"),
                c.circle,
            ]
            for c in camp
        ]
        download = list_download(
            fmt,
            "nominations",
            _("推薦紀錄"),
            scope_label(user),
            ["班期／活動", "機關", "單位", "姓名", "身分證字號", "優先身分／圈長", "狀態", "說明／英語圈"],
            rows,
            landscape=True,
        )
        if download:
            return download
    # A page of each list at a time (issue 20); the downloads above hold every row.
    page = paginate(request.GET, nominations)
    camp_page = paginate(request.GET, camp, "camp_page")
    return render(
        request,
        "programs/nomination_list.html",
        {
            "nominations": page.object_list,
            "camp": camp_page.object_list,
            "page": page,
            "camp_page": camp_page,
            "page_query": query_without(request.GET, "page"),
            "camp_query": query_without(request.GET, "camp_page"),
        },
    )


@login_required
def camp(request, pk):
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, Activity, pk=pk, kind=Activity.Kind.ENGLISH_CAMP)
    from .models import CampNomination, CampQuota, EnglishLevel

    outcomes = None
    governments = Agency.objects.filter(
        pk__in={g or pk for pk, g in Agency.objects.visible_to(request.user).values_list("pk", "government_id")},
        government=None,
    ).order_by("name")
    reallocates = is_hr(request.user) and plans_reviewed_by(request.user).filter(pk=activity.plan_id).exists()
    if request.method == "POST" and request.POST.get("action") in ("request_extra", "reallocate"):
        try:
            if request.POST["action"] == "reallocate" and reallocates:
                granted = services.reallocate_camp_places(request.user, activity)
                messages.success(request, _("已重新分配名額：增額共 %(n)d 名。") % {"n": sum(granted.values())})
            else:
                # A government above the coordinator's agencies: chosen among those derived from them.
                government = get_object_or_404(governments, pk=query_int(request.POST, "government"))
                count = query_int(request.POST, "count", minimum=0)
                if count is None:
                    raise ValidationError(_("請填寫申請增額人數。"))
                services.request_extra_places(request.user, activity, government, count)
                messages.success(request, _("%(gov)s已申請增額 %(n)d 名。") % {"gov": government.name, "n": count})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("programs:camp", pk=activity.pk)
    if request.method == "POST":
        chosen = [int(i) for i in request.POST.getlist("employee") if i.isdigit()]
        leaders = frozenset(int(i) for i in request.POST.getlist("leader") if i.isdigit())
        levels = {pk: request.POST.get(f"level_{pk}", "") for pk in chosen}
        outcomes = services.nominate_to_camp(
            request.user,
            activity,
            chosen,
            circle=request.POST.get("circle", "")[:50],
            leader_ids=leaders,
            levels=levels,
        )
    staff = (
        Employee.objects.visible_to(request.user)
        .select_related("agency", "unit")
        .order_by("agency__name", "name")[:500]
    )
    quotas = CampQuota.objects.filter(activity=activity).select_related("government")
    if not reallocates:
        quotas = quotas.filter(government__in=governments)
    used = dict(CampNomination.objects.filter(activity=activity).values_list("government_id").annotate(n=Count("pk")))
    return render(
        request,
        "programs/camp.html",
        {
            "activity": activity,
            "staff": staff,
            "outcomes": outcomes,
            "problems": services.circle_problems(activity),
            "levels": EnglishLevel.choices,
            "governments": governments,
            "reallocates": reallocates,
            "quotas": [(q, used.get(q.government_id, 0)) for q in quotas.order_by("government__name")],
            "max_extra": int(activity.details.get("max_extra_per_government", 10)),
        },
    )


@login_required
def proposal_list(request):
    require_coordinator_or_hr(request.user)
    proposals = (
        proposals_visible_to(request.user)
        .select_related("agency", "activity__plan", "leader")
        .annotate(member_count=Count("members"))
        .order_by("-updated_at", "-pk")
    )
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                p.activity.plan.title,
                p.agency.name,
                p.title,
                p.leader.name if p.leader else "",
                p.member_count,
                _("續辦") if p.is_renewal else _("新申請"),
                p.get_status_display(),
                p.rating,
                p.updated_at.date(),
            ]
            for p in proposals
        ]
        download = list_download(
            fmt,
            "proposals",
            _("熠星方案申請"),
            scope_label(request.user),
            ["計畫", "機關", "計畫名稱", "主持人", "成員人數", "類別", "狀態", "評等", "更新日期"],
            rows,
            landscape=True,
        )
        if download:
            return download
    activities = Activity.objects.filter(kind=Activity.Kind.YIXING, plan__in=plans_run_by(request.user)).select_related(
        "plan"
    )
    return render(
        request,
        "programs/proposal_list.html",
        {
            "page": (page := paginate(request.GET, proposals)),
            "proposals": page.object_list,
            "page_query": query_without(request.GET, "page"),
            "activities": activities,
            "reviews": plans_reviewed_by(request.user).exists(),
        },
    )


@login_required
def proposal_pdf(request, pk):
    """The proposal on its form (Hualien 附件1); another agency's proposal is not found."""
    require_coordinator_or_hr(request.user)
    proposal = get_visible_or_404(
        request.user, Proposal.objects.select_related("activity__plan", "agency__government", "leader"), pk=pk
    )
    return pdf_response(render_proposal_pdf(proposal), f"proposal-{proposal.pk}.pdf")


@login_required
def entry_list(request):
    """Contest works (自製數位教材暨行銷短片) of the user's agencies with their review and placing."""
    require_coordinator_or_hr(request.user)
    entries = (
        contest_entries_visible_to(request.user)
        .select_related("plan", "agency", "agency_head")
        .prefetch_related("authors__agency")
        .order_by("plan__slug", "placing", "title")
    )
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                e.plan.title,
                e.title,
                e.agency.name if e.agency else "",
                "、".join(a.name for a in e.authors.all()),
                e.get_review_display(),
                e.get_placing_display() if e.placing else "",
            ]
            for e in entries
        ]
        download = list_download(
            fmt,
            "contest-entries",
            _("競賽作品"),
            scope_label(request.user),
            ["計畫", "作品", "機關", "作者", "審查", "名次"],
            rows,
            landscape=True,
        )
        if download:
            return download
    page = paginate(request.GET, entries)
    return render(
        request,
        "programs/entry_list.html",
        {"page": page, "entries": page.object_list, "page_query": query_without(request.GET, "page")},
    )


def _proposal_form(request, proposal):
    """The form with its pickers: staff of the proposing government (or, before an agency is
    chosen, of the governments the user serves) and that government's earlier selected proposals."""
    government = proposal.agency.root if proposal.agency_id else None
    staff = proposal_team_candidates(request.user, government)
    if government is not None:
        governments = {government.pk}
    else:
        governments = {g or pk for pk, g in Agency.objects.visible_to(request.user).values_list("pk", "government_id")}
    renewable = earlier_selected_proposals(request.user, governments, proposal.activity.plan.roc_year)
    return ProposalForm(
        request.POST or None,
        instance=proposal,
        agency_choices=Agency.objects.visible_to(request.user),
        staff=staff,
        renewable=renewable,
    )


@login_required
def proposal_edit(request, pk=None, activity_pk=None):
    """A coordinator drafts and sends a 熠星 proposal with its team; once sent it is read-only,
    and the plan's HR sees the decision buttons (select / not / confirm renewal / rate)."""
    require_coordinator_or_hr(request.user)
    if pk:
        proposal = get_visible_or_404(
            request.user,
            Proposal.objects.select_related(
                "activity__plan", "agency__government", "leader__agency", "leader__unit", "renews__activity__plan"
            ),
            pk=pk,
        )
    else:
        proposal = Proposal(
            activity=get_visible_or_404(request.user, Activity, pk=activity_pk, kind=Activity.Kind.YIXING)
        )
    editable = proposal.status == Proposal.Status.DRAFT
    form = _proposal_form(request, proposal)
    if request.method == "POST" and not editable:
        messages.error(request, _("已送出的申請不能再修改。"))
        return redirect("programs:proposal", pk=proposal.pk)
    if request.method == "POST" and form.is_valid():
        proposal = form.save(commit=False)
        try:
            proposal = services.save_proposal(request.user, proposal, members=form.members)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            try:
                if "submit" in request.POST:
                    services.submit_proposal(request.user, proposal)
                    messages.success(
                        request,
                        _("申請已送出。") if not proposal.is_renewal else _("續辦申請已送出，待人事人員確認續辦。"),
                    )
                else:
                    messages.success(request, _("草稿已儲存。"))
            except ValidationError as error:
                # The draft is kept: the form goes on from the draft's own page, not a new one.
                messages.error(request, _("草稿已儲存，但還不能送出：%(why)s") % {"why": "；".join(error.messages)})
            return redirect("programs:proposal", pk=proposal.pk)
    reviews = bool(proposal.pk) and plans_reviewed_by(request.user).filter(pk=proposal.activity.plan_id).exists()
    agency = proposal.agency if proposal.agency_id else getattr(form, "only_agency", None)
    return render(
        request,
        "programs/proposal_form.html",
        {
            "form": form,
            "proposal": proposal,
            "field_labels": PROPOSAL_FIELDS,
            "editable": editable,
            "sections": _proposal_sections(form),
            "government": agency.root if agency else None,
            "team": _team(proposal) if proposal.pk else None,
            "reviews": reviews,
            "ratings": Proposal.Rating.choices,
        },
    )


def _proposal_sections(form) -> list:
    """The form's fields in the parts of Hualien's 附件1: its head boxes, 計畫內容, 其他補充說明, then the team."""
    head, content = PROPOSAL_HEAD, PROPOSAL_CONTENT
    rest = [name for name in form.fields if name not in head and name not in content and name != "notes"]
    return [
        (_(legend), [form[name] for name in names if name in form.fields])
        for legend, names in (
            (gettext_noop("基本資料"), head),
            (gettext_noop("計畫內容"), content),
            (gettext_noop("其他補充說明"), ["notes"]),
            (gettext_noop("專案小組與續辦"), rest),
        )
    ]


def _team(proposal):
    """(leader, members) as shown on the read-only page and the review list."""
    members = [m for m in proposal.members.all() if m.pk != proposal.leader_id]
    return {"leader": proposal.leader, "members": members}


@login_required
def proposal_review(request):
    """The plan's HR: proposals sent to the plans they review, with their teams and the decisions
    still open (select / not select, confirm a renewal, rate a selected one)."""
    if not request.user.is_authenticated or not is_hr(request.user):
        raise PermissionDenied
    proposals = (
        proposals_to_review(request.user)
        .select_related(
            "activity__plan", "agency__government", "leader__agency", "leader__unit", "renews__activity__plan"
        )
        .prefetch_related(Prefetch("members", queryset=Employee.objects.select_related("agency", "unit")))
        .order_by("activity__plan__slug", "status", "agency__name", "title")
    )
    status = request.GET.get("status", "")
    if status in Proposal.Status.values:
        proposals = proposals.filter(status=status)
    rows = [(p, _team(p)) for p in proposals]
    return render(
        request,
        "programs/proposal_review.html",
        {
            "rows": rows,
            "ratings": Proposal.Rating.choices,
            "statuses": Proposal.Status.choices,
            "status": status,
        },
    )


@login_required
@require_POST
def proposal_decide(request, pk):
    """HR's decision on one proposal, through the services; anyone but the plan's HR gets 403."""
    if not is_hr(request.user):
        raise PermissionDenied
    proposal = get_visible_or_404(request.user, proposals_to_review(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
    else:
        action, rating = form.cleaned_data["action"], form.cleaned_data["rating"]
        try:
            if action in ("select", "not_select"):
                services.select_proposal(request.user, proposal, selected=action == "select")
            elif action == "confirm_renewal":
                services.confirm_renewal(request.user, proposal)
            else:
                services.rate_proposal(request.user, proposal, rating)
        except ValidationError as error:
            messages.error(request, f"{proposal.title}：{'；'.join(error.messages)}")
        else:
            proposal.refresh_from_db()
            messages.success(
                request,
                _("「%(title)s」：%(status)s%(rating)s")
                % {
                    "title": proposal.title,
                    "status": proposal.get_status_display(),
                    "rating": f"（{proposal.rating}）" if proposal.rating else "",
                },
            )
    target = request.POST.get("next", "")
    if target == "review":
        return redirect("programs:proposal-review")
    return redirect("programs:proposal", pk=proposal.pk)


@login_required
def mentoring(request, pk):
    """E-mentoring: coordinators put their staff forward; HR of the plan's government pairs them across agencies."""
    from .models import MentoringCandidate, MentoringPair

    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(
        request.user, Activity.objects.select_related("plan"), pk=pk, kind=Activity.Kind.MENTORING
    )
    pairs_people = is_hr(request.user) and plans_reviewed_by(request.user).filter(pk=activity.plan_id).exists()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "pair" and pairs_people:
                people = Employee.objects.filter(
                    pk__in=ids(request.POST.getlist("mentor") + request.POST.getlist("mentee"))
                )
                by_pk = {e.pk: e for e in people.select_related("agency")}
                mentor = by_pk.get(query_int(request.POST, "mentor"))
                mentee = by_pk.get(query_int(request.POST, "mentee"))
                if mentor is None or mentee is None:
                    raise ValidationError(_("請選擇師父與徒弟。"))
                services.pair(request.user, activity, mentor, mentee)
                messages.success(
                    request,
                    _("已配對：師父%(mentor)s、徒弟%(mentee)s。") % {"mentor": mentor.name, "mentee": mentee.name},
                )
            else:
                employee = get_visible_or_404(request.user, Employee, pk=query_int(request.POST, "employee"))
                candidate = services.put_forward(
                    request.user, activity, employee, request.POST.get("role", ""), request.POST.get("note", "")
                )
                messages.success(
                    request,
                    _("已推薦%(name)s為%(role)s。") % {"name": employee.name, "role": candidate.get_role_display()},
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("programs:mentoring", pk=activity.pk)
    visible = Employee.objects.visible_to(request.user)
    candidates = MentoringCandidate.objects.filter(activity=activity).select_related(
        "employee__agency", "employee__unit"
    )
    pairs = MentoringPair.objects.filter(activity=activity).select_related("mentor__agency", "mentee__agency")
    if not pairs_people:  # a coordinator sees their own agencies' people
        candidates = candidates.filter(employee__in=visible)
        pairs = pairs.filter(Q(mentor__in=visible) | Q(mentee__in=visible))
    candidates = list(candidates.order_by("role", "employee__agency__name", "employee__name"))
    return render(
        request,
        "programs/mentoring.html",
        {
            "activity": activity,
            "pairs_people": pairs_people,
            "pairs": list(pairs.order_by("-paired_at", "-pk")),
            "mentors": [c for c in candidates if c.role == MentoringCandidate.Role.MENTOR],
            "mentees": [c for c in candidates if c.role == MentoringCandidate.Role.MENTEE],
            "staff": visible.select_related("agency", "unit").order_by("agency__name", "name")[:500],
            "roles": MentoringCandidate.Role.choices,
        },
    )


@login_required
def my_mentoring(request):
    """Each person sees their mentoring pairs: their mentor, or their mentees."""
    from .models import MentoringPair

    me = getattr(request.user, "employee", None)
    pairs = (
        MentoringPair.objects.none()
        if me is None
        else MentoringPair.objects.filter(Q(mentor=me) | Q(mentee=me))
        .select_related("activity__plan", "mentor__agency", "mentee__agency")
        .order_by("-paired_at", "-pk")
    )
    return render(request, "programs/my_mentoring.html", {"pairs": pairs, "me": me})
