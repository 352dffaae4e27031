from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from .access import get_visible_or_404
from .imports.mismatches import name_mismatches
from .models import Agency, Employee, GeneratedDocument, ImportBatch
from .params import query_int
from .permissions import can_list_people
from .registry import home_panels


@login_required
def home(request):
    user = request.user
    context = {"employee": None, "agencies": [], "batches": []}
    if user.employee_id:
        context["employee"] = Employee.objects.select_related("agency", "unit").get(pk=user.employee_id)
    if can_list_people(user):
        # Count the people the user may see (as the people page lists them), not every employee of the
        # agency: a supervisor sees their units, and Agency.visible_to joins on employees for them.
        staff = dict(Employee.objects.visible_to(user).values_list("agency_id").annotate(n=Count("pk")).order_by())
        context["agencies"] = list(Agency.objects.filter(pk__in=staff).order_by("name"))
        for agency in context["agencies"]:
            agency.staff = staff[agency.pk]
    context["batches"] = ImportBatch.objects.visible_to(user).select_related("created_by")[:5]
    context["plans"] = []  # a panel of the programs app fills this in
    context.update(home_panels(user))
    return render(request, "portal/home.html", context)


@login_required
def employee_list(request):
    if not can_list_people(request.user):
        raise PermissionDenied
    people = Employee.objects.visible_to(request.user).select_related("agency", "unit")
    agencies = Agency.objects.visible_to(request.user).order_by("name")
    agency_id = query_int(request.GET, "agency")
    if agency_id is not None:
        people = people.filter(agency_id=agency_id)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(name__contains=query)
    page = Paginator(people.order_by("agency__name", "unit__name", "name"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/employee_list.html",
        {
            "page": page,
            "agencies": agencies,
            "agency_id": agency_id,
            "query": query,
        },
    )


@login_required
def import_batch_detail(request, pk: int):
    from .rocdate import parse_period

    batch = get_visible_or_404(request.user, ImportBatch, pk=pk)
    context = {
        "batch": batch,
        "report": _report_rows(batch, request.user),
        "mismatches": name_mismatches(batch),
        "applications": ImportBatch.objects.visible_to(request.user).filter(applied_from=batch)
        if batch.preview
        else [],
    }
    if batch.options.get("period"):
        context["period_start"], context["period_end"] = parse_period(batch.options["period"])
    return render(request, "portal/import_batch.html", context)


def _report_rows(batch: ImportBatch, user) -> dict:
    """The batch's additions, corrections and withdrawals for the page, each row with the
    person's name and national ID as the viewer may see it; one query for the people."""
    from . import rocdate
    from .permissions import national_id_for

    report = batch.report or {}
    ids = {entry["key"].get("employee_id") for rows in report.values() for entry in rows}
    people = {p.pk: p for p in Employee.objects.filter(pk__in=ids - {None}).only("name", "national_id")}

    def row(entry, after_key=None):
        person = people.get(entry["key"].get("employee_id"))
        day = entry["key"].get("completed_on")
        return {
            "name": person.name if person else "—",
            "national_id": national_id_for(user, person.national_id) if person else "—",
            "course": entry["values"].get("course_name", ""),
            "hours": entry["values"].get("hours", ""),
            "provider": entry["key"].get("provider", ""),
            "day": rocdate.to_roc_short(rocdate.parse_date(day)) if day else "",
            "after": rocdate.to_roc_short(rocdate.parse_date(after_key["completed_on"])) if after_key else "",
        }

    def key(k) -> tuple:
        return tuple(sorted((name, str(value)) for name, value in k.items()))

    corrections = report.get("corrections", [])
    corrected, corrected_to = {key(c["key"]) for c in corrections}, {key(c["after_key"]) for c in corrections}
    return {
        "additions": [row(e) for e in report.get("additions", []) if key(e["key"]) not in corrected_to],
        "corrections": [row(c, c["after_key"]) for c in corrections],
        "withdrawals": [row(e) for e in report.get("withdrawals", []) if key(e["key"]) not in corrected],
    }


@login_required
def import_apply(request, pk: int):
    """HR applies a validated preview's kept file as it is: a new batch, whose page follows."""
    from django.contrib import messages

    from .permissions import is_hr
    from .services import apply_preview

    if not is_hr(request.user):
        raise PermissionDenied
    batch = get_visible_or_404(request.user, ImportBatch, pk=pk)
    if request.method != "POST":
        return redirect("import-batch", pk=batch.pk)
    try:
        applied = apply_preview(batch, request.user)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("import-batch", pk=batch.pk)
    return redirect("import-batch", pk=applied.pk)


@login_required
def import_new(request):
    """HR uploads a file; the import runs as a job and the batch page shows its progress."""
    from django import forms
    from django.conf import settings

    from .permissions import is_hr
    from .registry import IMPORTERS, importer_class
    from .rocdate import RocDateError, period_option
    from .services import ImportFileTooLarge, submit_import, too_large_message

    if not is_hr(request.user):
        raise PermissionDenied
    simple = [
        (kind, label)
        for kind, (_importer, label) in IMPORTERS.items()
        if kind in ("roster", "records", "forum", "attendance", "calendar")
    ]

    class UploadForm(forms.Form):
        kind = forms.ChoiceField(label="匯入種類", choices=simple)
        file = forms.FileField(label="檔案（CSV 或 XLSX）")
        period = forms.CharField(
            label="完整涵蓋期間（學習紀錄）",
            required=False,
            max_length=40,
            help_text="例如 103/01/01:103/06/30。檔案所列人員在此期間（依學習迄日，含首尾兩日）的紀錄以本檔為準，"
            "檔案已不再列出者撤回（保留備查，不再計入）。",
        )
        dry_run = forms.BooleanField(label="先試算預覽，不寫入（確認後可直接套用同一檔案）", required=False)

        def clean_file(self):
            # Django has streamed the upload to a temporary file (FILE_UPLOAD_HANDLERS): its size
            # is known without reading it.
            upload = self.cleaned_data["file"]
            if upload.size > settings.IMPORT_MAX_BYTES:
                raise forms.ValidationError(too_large_message())
            return upload

        def clean(self):
            data = super().clean()
            if data.get("period"):
                if not data.get("kind") or not importer_class(data["kind"]).takes_period:
                    self.add_error("period", "只有學習紀錄的匯入可以指定期間。")
                else:
                    try:
                        data["period"] = period_option(data["period"])
                    except RocDateError as error:
                        self.add_error("period", str(error))
            return data

    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {"period": form.cleaned_data["period"]} if form.cleaned_data.get("period") else {}
        try:
            # A preview from this page keeps its file, so that HR can apply it from the batch page.
            batch = submit_import(
                form.cleaned_data["kind"],
                upload.name,
                upload,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                preview=form.cleaned_data["dry_run"],
                options=options,
            )
            return redirect("import-batch", pk=batch.pk)
        except ImportFileTooLarge as error:
            form.add_error("file", str(error))
    return render(request, "portal/import_new.html", {"form": form})


@login_required
def document_list(request):
    """The documents a person asked for (HR: everyone's), newest first."""
    documents = GeneratedDocument.objects.visible_to(request.user).select_related("requested_by")[:100]
    return render(request, "portal/document_list.html", {"documents": documents})


@login_required
def document_detail(request, pk: int):
    """Progress while the job runs (the page refreshes itself), then the download."""
    document = get_visible_or_404(request.user, GeneratedDocument, pk=pk)
    return render(request, "portal/document.html", {"document": document, "downloadable": document.is_downloadable()})


@login_required
def document_download(request, pk: int):
    document = get_visible_or_404(request.user, GeneratedDocument, pk=pk)
    if not document.is_downloadable():
        raise Http404("文件尚未完成或已逾保存期限")
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if document.file_name.endswith(".xlsx")
        else "application/pdf"
    )
    return FileResponse(document.file.open("rb"), content_type=content_type, filename=document.file_name)


@login_required
def import_templates(request):
    """Every import's columns explained, with a blank CSV and XLSX to fill (HR, who imports)."""
    from .imports.blanks import kinds
    from .permissions import is_hr

    if not is_hr(request.user):
        raise PermissionDenied
    return render(request, "portal/import_templates.html", {"kinds": kinds()})


@login_required
def import_template(request, kind: str, fmt: str):
    """The blank file of one import: the CONTRACTS.md header row (XLSX with a sheet explaining each column)."""
    from django.http import HttpResponse

    from .imports.blanks import template_csv, template_xlsx
    from .permissions import is_hr
    from .registry import IMPORTERS

    if not is_hr(request.user):
        raise PermissionDenied
    if kind not in IMPORTERS or fmt not in ("csv", "xlsx"):
        raise Http404("沒有這種匯入範本")
    if fmt == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


def account_list(request):
    """HR: the accounts of the people they serve, with each one's role."""
    from .access import is_hr
    from .accounts import accounts_visible_to

    if not is_hr(request.user):
        raise PermissionDenied
    accounts = accounts_visible_to(request.user).select_related("employee__agency").prefetch_related("agencies")
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(employee__name__contains=query)
    page = Paginator(accounts.order_by("employee__agency__name", "employee__name"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/account_list.html", {"page": page, "query": query})


@login_required
def account_detail(request, pk: int):
    """HR: one account's role and agencies (a form), and its invitation resent."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .access import is_hr
    from .accounts import accounts_visible_to, assign_role, resend_invitation
    from .roles import Role

    if not is_hr(request.user):
        raise PermissionDenied
    from django.shortcuts import get_object_or_404

    # Scoped by the query: another government's account answers 404.
    account = get_object_or_404(accounts_visible_to(request.user).select_related("employee"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            if "invite" in request.POST:
                resend_invitation(request.user, account)
                messages.success(request, _("已重新寄出帳號開通邀請。"))
            else:
                agency_ids = [int(v) for v in request.POST.getlist("agencies") if v.isdigit()]
                assign_role(request.user, account, request.POST.get("role", ""), agency_ids)
                messages.success(request, _("已更新角色。"))
            return redirect("account", pk=account.pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "portal/account.html",
        {
            "account": account,
            "roles": Role.choices,
            "error": error,
            "agencies": Agency.objects.visible_to(request.user).order_by("name"),
            "chosen": set(account.agencies.values_list("pk", flat=True)),
        },
    )


@login_required
def notice_preferences(request):
    """Each person turns off the reminders they do not want (issue 18 item 5); mandatory notices
    (a decision about them) are shown ticked and cannot be turned off."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from . import notices

    kinds = notices.kinds_for(request.user)
    if request.method == "POST":
        wanted = set(request.POST.getlist("kind"))
        notices.set_opt_outs(request.user, {k.code for k in kinds if not k.mandatory and k.code not in wanted})
        messages.success(request, _("通知設定已儲存。"))
        return redirect("notice-preferences")
    off = notices.opted_out(request.user)
    rows = [{"kind": k, "on": k.mandatory or k.code not in off} for k in kinds]
    return render(request, "portal/notice_preferences.html", {"rows": rows})
