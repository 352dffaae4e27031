from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from programs.queries import plans_run_by

from .models import Agency, Employee, GeneratedDocument, ImportBatch
from .permissions import can_list_people


@login_required
def home(request):
    user = request.user
    context = {"employee": None, "agencies": [], "batches": []}
    if user.employee_id:
        context["employee"] = Employee.objects.select_related("agency", "unit").get(pk=user.employee_id)
    if can_list_people(user):
        context["agencies"] = (
            Agency.objects.visible_to(user).annotate(staff=Count("employees")).filter(staff__gt=0).order_by("name")
        )
    context["batches"] = ImportBatch.objects.visible_to(user).select_related("created_by")[:5]
    context["plans"] = plans_run_by(user)
    return render(request, "portal/home.html", context)


@login_required
def employee_list(request):
    if not can_list_people(request.user):
        raise PermissionDenied
    people = Employee.objects.visible_to(request.user).select_related("agency", "unit")
    agencies = Agency.objects.visible_to(request.user).order_by("name")
    agency_id = request.GET.get("agency", "")
    if agency_id.isdigit():
        people = people.filter(agency_id=int(agency_id))
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(name__contains=query)
    page = Paginator(people.order_by("agency__name", "unit__name", "name"), 50).get_page(request.GET.get("page"))
    return render(request, "portal/employee_list.html", {
        "page": page, "agencies": agencies, "agency_id": agency_id, "query": query,
    })


@login_required
def import_batch_detail(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    return render(request, "portal/import_batch.html", {"batch": batch})


@login_required
def import_new(request):
    """HR uploads a file; the import runs as a job and the batch page shows its progress."""
    from django import forms

    from .imports.registry import IMPORTERS
    from .permissions import is_hr
    from .services import ImportFileTooLarge, submit_import

    if not is_hr(request.user):
        raise PermissionDenied
    simple = [(kind, label) for kind, (_path, label) in IMPORTERS.items() if kind in ("roster", "records", "forum", "attendance", "calendar")]

    class UploadForm(forms.Form):
        kind = forms.ChoiceField(label="匯入種類", choices=simple)
        file = forms.FileField(label="檔案（CSV 或 XLSX）")
        dry_run = forms.BooleanField(label="只驗證，不寫入", required=False)

    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = submit_import(form.cleaned_data["kind"], upload.name, upload.read(), user=request.user,
                                  dry_run=form.cleaned_data["dry_run"])
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
    document = get_object_or_404(GeneratedDocument.objects.visible_to(request.user), pk=pk)
    return render(request, "portal/document.html", {"document": document, "downloadable": document.is_downloadable()})


@login_required
def document_download(request, pk: int):
    document = get_object_or_404(GeneratedDocument.objects.visible_to(request.user), pk=pk)
    if not document.is_downloadable():
        raise Http404("文件尚未完成或已逾保存期限")
    return FileResponse(document.file.open("rb"), content_type="application/pdf", filename=document.file_name)
