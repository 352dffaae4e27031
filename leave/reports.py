"""The compensatory-leave application form as a PDF (Kaohsiung 附件2, Tainan 附件5)."""
from django.db.models import Prefetch

from portal import clock

from .models import Application, Entry, RecordUse
from .services import balance, leave_rule

FORM_TITLES = {
    "kaohsiung-103": "公餘時間完成數位學習補休申請表",
    "tainan-101": "公餘時間數位學習補休申請表",
}


def application_rows(application: Application) -> list[dict]:
    """Each course behind the grants this application uses, with its hours and completion time."""
    rows = []
    # Through RecordUse, not the default manager: a record a later export withdrew is still what the grant rests on.
    grants = (Entry.objects.filter(charges__application=application, kind=Entry.Kind.GRANT).distinct()
              .prefetch_related(Prefetch("record_uses", queryset=RecordUse.objects.select_related("record")))
              .order_by("usable_until", "id"))
    for grant in grants:
        records = sorted((use.record for use in grant.record_uses.all()), key=lambda r: (r.completed_on, str(r.completed_at or "")))
        for index, record in enumerate(records):
            # The grant's hours once, on its first course: the column adds up to what was granted
            # (a combination's courses together earn its hours, not each its own).
            rows.append({"course_name": record.course_name, "hours": record.hours, "completed_on": record.completed_on,
                         "completed_at": record.completed_at, "grant_hours": grant.hours if index == 0 else None,
                         "usable_until": grant.usable_until})
    return rows


def render_application_pdf(application: Application) -> bytes:
    from portal.pdf import render_pdf

    plan = application.plan
    rule = leave_rule(plan)
    return render_pdf("leave/application_form.html", {
        "title": FORM_TITLES.get(plan.slug, "公餘時間數位學習補休申請表") + (f"（{rule['form']}）" if rule.get("form") else ""),
        "plan": plan, "employee": application.employee, "application": application,
        "rows": application_rows(application), "balance": balance(application.employee, application.leave_date, plan),
        "basis": f"依據：{rule.get('clause', '')}" if rule.get("clause") else "", "today": clock.today(),
    })
