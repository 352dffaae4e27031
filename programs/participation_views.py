"""Pages of the digital-talent registry, the showcase and reflections (issue 19).

Every page checks role, government and agency through programs.queries; every change goes
through programs.services.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404, is_coordinator
from portal.admin_display import RocDateField
from portal.exporters import list_download
from portal.models import Agency, Employee
from portal.params import ids, parse_int
from portal.pdf import pdf_response, render_pdf
from portal.permissions import is_hr, national_id_for, require_coordinator_or_hr, scope_label

from . import services
from .models import ReadingBid, Reflection, SeedTeacher, count_characters
from .queries import (
    plan_staff,
    plans_for_employee,
    plans_reviewed_by,
    reading_bid_activities_for,
    reading_bid_window,
    reading_bids_to_review,
    reading_bids_visible_to,
    reflection_activities,
    reflections_visible_to,
    seed_teachers_visible_to,
    showcase_activities_for,
    showcase_capacity,
    showcase_registrations_visible_to,
    talent_activities_for,
    talent_candidates,
)


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


# -- The digital-talent registry ---------------------------------------------------------


@login_required
def talent_list(request):
    """The registries the user works with; HR of the issuing plan is sent on to select people."""
    require_coordinator_or_hr(request.user)
    return render(request, "programs/talent_list.html", {"activities": talent_activities_for(request.user)})


@login_required
def talent_registry(request, pk):
    """One registry: coordinators see their agencies' seed teachers; the plan's HR sees all of
    them, the candidates the portal knows (prize-winners, class graduates) and can name anyone."""
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, talent_activities_for(request.user), pk=pk)
    user = request.user
    teachers = (
        seed_teachers_visible_to(user)
        .filter(activity=activity)
        .select_related("employee__agency", "employee__unit", "selected_by")
        .order_by("employee__agency__name", "employee__name")
    )
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                t.employee.agency.name,
                t.employee.unit.name if t.employee.unit else "",
                t.employee.title,
                t.employee.name,
                t.get_source_display(),
                t.basis,
                t.reason,
                t.selected_at.date(),
            ]
            for t in teachers
        ]
        download = list_download(
            fmt,
            f"{activity.plan.slug}-seed-teachers",
            f"{activity.plan.title}：{activity.name}",
            scope_label(user),
            ["機關", "單位", "職稱", "姓名", "來源", "依據", "遴選理由", "遴選日期"],
            rows,
            landscape=True,
        )
        if download:
            return download
    reviews = is_hr(user) and plans_reviewed_by(user).filter(pk=activity.plan_id).exists()
    candidates, found = [], []
    query = request.GET.get("q", "").strip()
    if reviews:
        staff = plan_staff(activity.plan) & Employee.objects.visible_to(user)
        chosen = set(teachers.values_list("employee_id", flat=True))
        candidates = [c for c in talent_candidates(activity, staff) if c.employee.pk not in chosen]
        if query:
            found = list(
                staff.filter(name__contains=query)
                .exclude(pk__in=chosen)
                .select_related("agency", "unit")
                .order_by("agency__name", "name")[:20]
            )
    return render(
        request,
        "programs/talent_registry.html",
        {
            "activity": activity,
            "teachers": teachers,
            "reviews": reviews,
            "candidates": candidates,
            "found": found,
            "query": query,
        },
    )


@login_required
@require_POST
def talent_select(request, pk):
    """HR's selection of one person, with the reason (services.select_seed_teacher checks everything)."""
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, talent_activities_for(request.user), pk=pk)
    employee_id = parse_int(request.POST.get("employee", ""))
    if employee_id is None:
        messages.error(request, _("請選擇人員。"))
    else:
        try:
            teacher = services.select_seed_teacher(request.user, activity, employee_id, request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request, _("已將%(name)s列入數位人才資料庫（種籽教師）。") % {"name": teacher.employee.name}
            )
    return redirect("programs:talents", pk=activity.pk)


@login_required
@require_POST
def talent_remove(request, pk, teacher_pk):
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, talent_activities_for(request.user), pk=pk)
    teacher = get_visible_or_404(request.user, SeedTeacher.objects.filter(activity=activity), pk=teacher_pk)
    try:
        services.remove_seed_teacher(request.user, teacher)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已移出數位人才資料庫。"))
    return redirect("programs:talents", pk=activity.pk)


# -- The showcase ----------------------------------------------------------------------------


@login_required
def showcase_list(request):
    require_coordinator_or_hr(request.user)
    return render(request, "programs/showcase_list.html", {"activities": showcase_activities_for(request.user)})


def _registrations(user, activity):
    return (
        showcase_registrations_visible_to(user)
        .filter(activity=activity)
        .select_related("employee__agency", "employee__unit")
        .order_by("employee__agency__name", "employee__unit__name", "employee__name")
    )


@login_required
def showcase(request, pk):
    """Register staff (coordinators; HR too) and see who is registered; the plan's HR sees
    everyone's registrations, exports them and prints the sign-in sheet."""
    require_coordinator_or_hr(request.user)
    user = request.user
    activity = get_visible_or_404(user, showcase_activities_for(user), pk=pk)
    outcomes = None
    if request.method == "POST":
        chosen = ids(request.POST.getlist("employee"))
        if not chosen:
            messages.error(request, _("請至少勾選一位人員。"))
        else:
            try:
                outcomes = services.register_for_showcase(user, activity, chosen)
            except ValidationError as error:
                messages.error(request, _errors(error))
    registrations = _registrations(user, activity)
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                r.employee.agency.name,
                r.employee.unit.name if r.employee.unit else "",
                r.employee.title,
                r.employee.name,
                r.employee.get_employment_type_display(),
                national_id_for(user, r.employee.national_id),
                r.created_at.date(),
            ]
            for r in registrations
        ]
        download = list_download(
            fmt,
            f"{activity.plan.slug}-showcase",
            f"{activity.name}報名名單",
            scope_label(user),
            ["機關", "單位", "職稱", "姓名", "人員類別", "身分證字號", "報名日期"],
            rows,
            landscape=True,
        )
        if download:
            return download
    capacity = showcase_capacity(activity)
    taken = activity.showcase_registrations.count()
    registered = set(registrations.values_list("employee_id", flat=True))
    staff = (
        Employee.objects.visible_to(user)
        .filter(active=True)
        .exclude(pk__in=registered)
        .select_related("agency", "unit")
        .order_by("agency__name", "unit__name", "name")[:500]
    )
    return render(
        request,
        "programs/showcase.html",
        {
            "activity": activity,
            "registrations": registrations,
            "staff": staff,
            "outcomes": outcomes,
            "capacity": capacity,
            "taken": taken,
            "left": None if capacity is None else max(capacity - taken, 0),
            "venue": (activity.details or {}).get("venue", ""),
            "reviews": is_hr(user) and plans_reviewed_by(user).filter(pk=activity.plan_id).exists(),
        },
    )


@login_required
@require_POST
def showcase_cancel(request, pk, registration_pk):
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, showcase_activities_for(request.user), pk=pk)
    registration = get_visible_or_404(request.user, _registrations(request.user, activity), pk=registration_pk)
    try:
        services.cancel_showcase_registration(request.user, registration)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已取消%(name)s的報名。") % {"name": registration.employee.name})
    return redirect("programs:showcase", pk=activity.pk)


@login_required
def showcase_signin(request, pk):
    """The sign-in sheet (簽到表) of the registrations the user may see, one line per person."""
    require_coordinator_or_hr(request.user)
    activity = get_visible_or_404(request.user, showcase_activities_for(request.user), pk=pk)
    registrations = list(_registrations(request.user, activity))
    pdf = render_pdf(
        "programs/showcase_signin.html",
        {
            "activity": activity,
            "registrations": registrations,
            "venue": (activity.details or {}).get("venue", ""),
            "capacity": showcase_capacity(activity),
            "scope": scope_label(request.user),
        },
        css=("form.css",),
    )
    return pdf_response(pdf, f"{activity.plan.slug}-showcase-signin.pdf")


class ShowcaseForm(forms.Form):
    """The showcase as HR sets it: name, dates (ROC), place and capacity; the plan on a new one."""

    plan = forms.ModelChoiceField(None, label=gettext_lazy("年度計畫"))
    name = forms.CharField(label=gettext_lazy("名稱"), max_length=200, initial="數位學習成果發表會")
    starts_on = RocDateField(label=gettext_lazy("日期（例：104/11/20）"))
    ends_on = RocDateField(label=gettext_lazy("迄日（一日者免填）"), required=False)
    venue = forms.CharField(label=gettext_lazy("地點"), max_length=200, required=False)
    capacity = forms.IntegerField(label=gettext_lazy("名額（空白為不限）"), min_value=0, required=False)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is None:
            del self.fields["plan"]
        else:
            self.fields["plan"].queryset = plans
            self.fields["plan"].empty_label = None


@login_required
def showcase_edit(request, pk=None):
    """The plan's HR creates a showcase (from the showcase list) or edits its date, place and
    capacity (from its page); a coordinator has no such page (403)."""
    if not is_hr(request.user):
        raise PermissionDenied
    reviewed = plans_reviewed_by(request.user)
    activity = None
    initial = None
    if pk is not None:
        activity = get_visible_or_404(
            request.user, showcase_activities_for(request.user).filter(plan__in=reviewed), pk=pk
        )
        initial = {
            "name": activity.name,
            "starts_on": activity.starts_on,
            "ends_on": activity.ends_on if activity.ends_on != activity.starts_on else None,
            "venue": (activity.details or {}).get("venue", ""),
            "capacity": showcase_capacity(activity),
        }
    form = ShowcaseForm(request.POST or None, initial=initial, plans=None if activity else reviewed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_showcase(
                request.user,
                activity.plan if activity else data["plan"],
                activity,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                venue=data["venue"],
                capacity=data["capacity"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已儲存%(name)s的日期、地點與名額。") % {"name": saved.name})
            return redirect("programs:showcase", pk=saved.pk)
    return render(request, "programs/showcase_form.html", {"form": form, "activity": activity})


# -- Reflections -------------------------------------------------------------------------------


@login_required
def my_reflections(request):
    """An employee writes a 微心得 (at most 300 characters) or i writing notes (at least 1,000)
    and sees what they wrote; the count shows as they type (progressive enhancement)."""
    user = request.user
    if not user.employee_id:
        raise PermissionDenied
    employee = get_visible_or_404(user, Employee.objects.select_related("agency"), pk=user.employee_id)
    activities = list(
        reflection_activities()
        .filter(plan__in=plans_for_employee(employee))
        .order_by("-plan__roc_year", "plan__slug", "position")
    )
    form = {"activity": "", "kind": "", "item": "", "text": ""}
    errors = {}
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in form}
        activity = next((a for a in activities if str(a.pk) == form["activity"]), None)
        if activity is None:
            errors["activity"] = [_("請選擇活動。")]
        else:
            try:
                services.write_reflection(user, activity, form["kind"], form["item"], form["text"])
            except ValidationError as error:
                errors = error.message_dict if hasattr(error, "error_dict") else {"form": error.messages}
            else:
                messages.success(request, _("心得已送出（%(n)s 字）。") % {"n": f"{count_characters(form['text']):,}"})
                return redirect("programs:my-reflections")
    mine = Reflection.objects.filter(employee=employee).select_related("activity__plan").order_by("-created_at")
    return render(
        request,
        "programs/my_reflections.html",
        {
            "activities": activities,
            "kinds": Reflection.Kind.choices,
            "form": form,
            "errors": errors,
            "mine": mine,
            "count": count_characters(form["text"]),
        },
    )


@login_required
def reflection_list(request):
    """HR: the reflections written under their plans and by their agencies' people, with an XLSX export."""
    if not is_hr(request.user):
        raise PermissionDenied
    user = request.user
    reflections = (
        reflections_visible_to(user)
        .select_related("activity__plan", "employee__agency", "employee__unit")
        .order_by("-created_at", "-pk")
    )
    activities = (
        reflection_activities().filter(plan__in=plans_reviewed_by(user)).order_by("-plan__roc_year", "plan__slug")
    )
    activity_id = parse_int(request.GET.get("activity", ""))
    if activity_id is not None:
        reflections = reflections.filter(activity_id=activity_id)
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                r.activity.plan.title,
                r.activity.name,
                r.employee.agency.name,
                r.employee.unit.name if r.employee.unit else "",
                r.employee.name,
                r.get_kind_display(),
                r.item,
                r.characters,
                r.text,
                r.created_at.date(),
            ]
            for r in reflections
        ]
        download = list_download(
            fmt,
            "reflections",
            _("心得"),
            scope_label(user),
            ["計畫", "活動", "機關", "單位", "姓名", "學習類別", "學習項目", "字數", "心得", "填寫日期"],
            rows,
            landscape=True,
        )
        if download:
            return download
    return render(
        request,
        "programs/reflection_list.html",
        {
            "reflections": reflections[:500],
            "activities": activities,
            "activity_id": activity_id,
            "query": request.GET.urlencode(),
        },
    )


# -- The reading bid -----------------------------------------------------------------------------


class ReadingBidForm(forms.ModelForm):
    starts_on = RocDateField(
        label=_("活動起日"), required=False, widget=forms.TextInput(attrs={"placeholder": "103/06/01"})
    )
    ends_on = RocDateField(
        label=_("活動迄日"), required=False, widget=forms.TextInput(attrs={"placeholder": "103/09/30"})
    )

    class Meta:
        model = ReadingBid
        fields = ["agency", "title", "activities", "materials", "forum", "starts_on", "ends_on"]
        widgets = {"activities": forms.Textarea(attrs={"rows": 5}), "materials": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].empty_label = None


@login_required
def reading_bid_list(request):
    """Coordinators: their agencies' bids and the bids open to them; HR: the bids sent to the
    plans they review, each with the score and selection form."""
    require_coordinator_or_hr(request.user)
    user = request.user
    bids = reading_bids_visible_to(user).select_related("activity__plan", "agency").order_by("-updated_at", "-pk")
    reviewing = reading_bids_to_review(user).values_list("pk", flat=True) if is_hr(user) else []
    fmt = request.GET.get("format", "")
    if fmt:
        rows = [
            [
                b.activity.plan.title,
                b.agency.name,
                b.title,
                b.starts_on,
                b.ends_on,
                b.get_status_display(),
                b.score,
                b.review_note,
            ]
            for b in bids
        ]
        download = list_download(
            fmt,
            "reading-bids",
            _("數位閱讀計畫競標"),
            scope_label(user),
            ["計畫", "機關", "活動計畫", "起日", "迄日", "狀態", "評分", "評選意見"],
            rows,
            landscape=True,
        )
        if download:
            return download
    activities = [(a, *reading_bid_window(a)) for a in reading_bid_activities_for(user)]
    return render(
        request,
        "programs/reading_bid_list.html",
        {
            "bids": bids,
            "reviewing": set(reviewing),
            "activities": activities,
            "is_coordinator": is_coordinator(user),
        },
    )


@login_required
def reading_bid_edit(request, pk=None, activity_pk=None):
    """A coordinator drafts and sends an activity plan; once sent it is read-only and shows the outcome."""
    require_coordinator_or_hr(request.user)
    user = request.user
    if pk:
        bid = get_visible_or_404(user, ReadingBid.objects.select_related("activity__plan", "agency"), pk=pk)
    else:
        bid = ReadingBid(activity=get_visible_or_404(user, reading_bid_activities_for(user), pk=activity_pk))
    editable = (
        bid.status == ReadingBid.Status.DRAFT and Agency.objects.visible_to(user).filter(pk=bid.agency_id).exists()
        if bid.pk
        else True
    )
    form = ReadingBidForm(request.POST or None, instance=bid, agencies=Agency.objects.visible_to(user).order_by("name"))
    if request.method == "POST":
        if not editable:
            messages.error(request, _("已送出的活動計畫不能再修改。"))
            return redirect("programs:reading-bid", pk=bid.pk)
        if form.is_valid():
            try:
                bid = services.save_reading_bid(user, form.save(commit=False))
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                try:
                    if "submit" in request.POST:
                        services.submit_reading_bid(user, bid)
                        messages.success(request, _("活動計畫已送出，待人事處評選。"))
                    else:
                        messages.success(request, _("草稿已儲存。"))
                except ValidationError as error:
                    messages.error(request, _("草稿已儲存，但還不能送出：%(why)s") % {"why": _errors(error)})
                return redirect("programs:reading-bid", pk=bid.pk)
    start, end = reading_bid_window(bid.activity)
    reviews = bool(bid.pk) and is_hr(user) and reading_bids_to_review(user).filter(pk=bid.pk).exists()
    return render(
        request,
        "programs/reading_bid_form.html",
        {
            "form": form,
            "bid": bid,
            "editable": editable,
            "window_start": start,
            "window_end": end,
            "reviews": reviews,
        },
    )


@login_required
@require_POST
def reading_bid_decide(request, pk):
    """The plan's HR scores a sent bid and selects it or not (services.decide_reading_bid)."""
    if not is_hr(request.user):
        raise PermissionDenied
    bid = get_visible_or_404(request.user, reading_bids_to_review(request.user), pk=pk)
    action = request.POST.get("action", "")
    if action not in ("select", "not_select"):
        messages.error(request, _("請選擇入選或未入選。"))
    else:
        try:
            bid = services.decide_reading_bid(
                request.user, bid, action == "select", request.POST.get("score", ""), request.POST.get("note", "")
            )
        except ValidationError as error:
            messages.error(request, f"{bid.title}：{_errors(error)}")
        else:
            messages.success(
                request,
                _("「%(title)s」：%(status)s（%(score)s 分）")
                % {"title": bid.title, "status": bid.get_status_display(), "score": bid.score},
            )
    if request.POST.get("next") == "list":
        return redirect("programs:reading-bids")
    return redirect("programs:reading-bid", pk=bid.pk)


@login_required
def reading_bid_pdf(request, pk):
    """The activity plan printed as a simple form; another agency's bid is not found."""
    require_coordinator_or_hr(request.user)
    bid = get_visible_or_404(request.user, ReadingBid.objects.select_related("activity__plan", "agency"), pk=pk)
    pdf = render_pdf("programs/reading_bid_document.html", {"bid": bid}, css=("form.css",))
    return pdf_response(pdf, f"reading-bid-{bid.pk}.pdf")
