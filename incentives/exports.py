"""The staff standing of a whole agency as a file (issue 20): 「全部」 is a background job.

The page shows one page of staff at a time; the XLSX or PDF of everyone the filters select is a
generated document (`portal.services.request_document`, kind "standing", registered in
incentives.apps) once the list is longer than STANDING_BACKGROUND_THRESHOLD. The job evaluates
the list in chunks (incentives.refresh.CHUNK people), so its memory does not grow with the count.
"""

import io

from django.utils.translation import gettext as _

from portal.permissions import national_id_for

from .evaluation import Evaluation
from .summaries import Hours, hours_in_period

# The page's hours columns (學習時數, 數位時數) go into the files too, with the same figures.
STANDING_HEADERS = [
    "機關",
    "單位",
    "姓名",
    "嘉獎",
    "記功",
    "記大功",
    "補休時數",
    "學習時數",
    "數位時數",
    "事由",
    "尚缺",
    "身分證字號",
]


def standing_row(user, r: Evaluation, hours: Hours) -> list:
    """One person's row of the standing file (the national ID shown as the user may see it;
    `hours` is their certified hours in the plan's period, incentives.summaries.hours_in_period)."""
    return [
        r.agency,
        r.unit,
        r.name,
        r.award_counts["commendation"],
        r.award_counts["merit"],
        r.award_counts["major_merit"],
        float(r.leave_hours),
        float(hours.total),
        float(hours.digital),
        "；".join(a.text for a in r.awards),
        "；".join(p.text for p in r.progress if not p.met),
        national_id_for(user, r.national_id),
    ]


def standing_rows(user, plan, employee_ids: list[int], progress=None, share: int = 60):
    """Every listed person's row, evaluated CHUNK people at a time (a generator: one chunk held)."""
    from .queries import evaluate_page
    from .refresh import CHUNK

    chunks = max((len(employee_ids) + CHUNK - 1) // CHUNK, 1)
    for n, start in enumerate(range(0, len(employee_ids), CHUNK)):
        chunk = employee_ids[start : start + CHUNK]
        hours = hours_in_period(plan, chunk)
        for r in evaluate_page(plan, chunk):
            yield standing_row(user, r, hours.get(r.employee_id, Hours()))
        if progress:
            progress(int(share * (n + 1) / chunks))


def standing_workbook(title: str, rows) -> bytes:
    """The rows as an XLSX written in openpyxl's write-only mode (rows streamed to disk)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from portal.exporters import safe_cell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in STANDING_HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_standing_document(document, progress) -> tuple[bytes, str]:
    """The staff standing of everyone the requester's filters select, as XLSX or PDF, in the
    requester's scope when the job runs. Parameters: plan (slug), unit, rule, status, sort, format."""
    from portal.access import get_visible_or_404
    from portal.exporters import list_pdf
    from portal.permissions import scope_label
    from programs.models import Plan

    from .queries import standing_queryset

    user = document.requested_by
    if user is None:
        raise ValueError("the requester of this list no longer exists")
    p = document.parameters
    plan = get_visible_or_404(user, Plan, slug=p["plan"])
    employees = standing_queryset(
        user, plan, unit=p.get("unit", ""), rule=p.get("rule", ""), status=p.get("status", ""), sort=p.get("sort", "")
    )
    ids = list(employees.values_list("pk", flat=True))
    title = _("%(plan)s：人員達成情形") % {"plan": plan.title}
    if p.get("format") == "xlsx":
        data = standing_workbook(title, standing_rows(user, plan, ids, progress, share=90))
        return data, f"{plan.slug}-standing.xlsx"
    rows = list(standing_rows(user, plan, ids, progress, share=30))

    def rendering(percent: int) -> None:
        progress(30 + percent * 69 // 100)

    data = list_pdf(title, scope_label(user), STANDING_HEADERS, rows, landscape=True, progress=rendering)
    return data, f"{plan.slug}-standing.pdf"
