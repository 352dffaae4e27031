from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.models import Agency, Employee
from portal.permissions import require_coordinator_or_hr

from . import services
from .forms import PROPOSAL_FIELDS, ProposalForm
from .models import Activity, Plan, Proposal
from .queries import nominations_visible_to, proposals_visible_to, sessions_open_to


@login_required
def plan_list(request):
    plans = Plan.objects.select_related("issuer").order_by("-roc_year", "slug")
    return render(request, "programs/plan_list.html", {"plans": plans})


@login_required
def plan_detail(request, slug):
    plan = get_object_or_404(Plan.objects.select_related("issuer"), slug=slug)
    activities = plan.activities.prefetch_related("classes__sessions")
    return render(request, "programs/plan_detail.html", {"plan": plan, "activities": activities})


@login_required
def session_list(request):
    require_coordinator_or_hr(request.user)
    return render(request, "programs/session_list.html", {"sessions": sessions_open_to(request.user)})


@login_required
def nominate(request, pk):
    require_coordinator_or_hr(request.user)
    session = get_object_or_404(sessions_open_to(request.user), pk=pk)
    staff = Employee.objects.visible_to(request.user).select_related("agency", "unit").order_by("agency__name", "unit__name", "name")
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        staff = staff.filter(unit_id=int(unit))
    outcomes = None
    if request.method == "POST":
        chosen = [int(i) for i in request.POST.getlist("employee") if i.isdigit()]
        if not chosen:
            messages.error(request, _("請至少勾選一位人員。"))
        else:
            outcomes = services.nominate(request.user, session, chosen)
    return render(request, "programs/nominate.html", {
        "session": session, "staff": staff[:500], "outcomes": outcomes,
        "units": Agency.objects.visible_to(request.user).prefetch_related("units"),
    })


@login_required
def nomination_list(request):
    nominations = (nominations_visible_to(request.user)
                   .select_related("employee__agency", "session__training_class").order_by("session_id", "priority"))
    return render(request, "programs/nomination_list.html", {"nominations": nominations})


@login_required
def camp(request, pk):
    require_coordinator_or_hr(request.user)
    activity = get_object_or_404(Activity, pk=pk, kind=Activity.Kind.ENGLISH_CAMP)
    outcomes = None
    if request.method == "POST":
        chosen = [int(i) for i in request.POST.getlist("employee") if i.isdigit()]
        leaders = frozenset(int(i) for i in request.POST.getlist("leader") if i.isdigit())
        outcomes = services.nominate_to_camp(request.user, activity, chosen, circle=request.POST.get("circle", "")[:50],
                                             leader_ids=leaders)
    staff = Employee.objects.visible_to(request.user).select_related("agency", "unit").order_by("agency__name", "name")[:500]
    return render(request, "programs/camp.html", {
        "activity": activity, "staff": staff, "outcomes": outcomes, "problems": services.circle_problems(activity),
    })


@login_required
def proposal_list(request):
    require_coordinator_or_hr(request.user)
    proposals = proposals_visible_to(request.user).select_related("agency", "activity__plan").order_by("-updated_at")
    activities = Activity.objects.filter(kind=Activity.Kind.YIXING).select_related("plan")
    return render(request, "programs/proposal_list.html", {"proposals": proposals, "activities": activities})


@login_required
def proposal_edit(request, pk=None, activity_pk=None):
    require_coordinator_or_hr(request.user)
    if pk:
        proposal = get_object_or_404(proposals_visible_to(request.user).select_related("activity__plan"), pk=pk)
    else:
        proposal = Proposal(activity=get_object_or_404(Activity, pk=activity_pk, kind=Activity.Kind.YIXING))
    agencies = Agency.objects.visible_to(request.user)
    form = ProposalForm(request.POST or None, instance=proposal, agency_choices=agencies)
    if request.method == "POST" and form.is_valid():
        proposal = form.save(commit=False)
        try:
            services.save_proposal(request.user, proposal)
            if "submit" in request.POST:
                services.submit_proposal(request.user, proposal)
                messages.success(request, _("申請已送出。"))
            else:
                messages.success(request, _("草稿已儲存。"))
            return redirect("programs:proposal", pk=proposal.pk)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    return render(request, "programs/proposal_form.html", {
        "form": form, "proposal": proposal, "field_labels": PROPOSAL_FIELDS,
        "editable": proposal.status == Proposal.Status.DRAFT,
    })
