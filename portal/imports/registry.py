"""Every import kind, its importer and its label, in one place."""
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

IMPORTERS = {
    "roster": ("portal.importers.RosterImporter", _("人員名冊")),
    "records": ("courses.importers.RecordImporter", _("學習紀錄")),
    "forum": ("courses.importers.ForumImporter", _("論壇發表統計")),
    "attendance": ("courses.importers.AttendanceImporter", _("差勤紀錄")),
    "calendar": ("courses.importers.CalendarImporter", _("辦公日曆")),
    "course-list": ("courses.importers.CourseListImporter", _("課程清單")),
    "certificates": ("programs.importers.CertificateImporter", _("證書")),
    "team-ratings": ("programs.importers.TeamRatingImporter", _("熠星團隊評等")),
    "contest": ("programs.importers.ContestImporter", _("競賽結果")),
    "case-reports": ("programs.importers.CaseReportImporter", _("案例報告")),
}


def importer_class(kind: str):
    try:
        path, _label = IMPORTERS[kind]
    except KeyError:
        raise LookupError(kind) from None
    return import_string(path)


def kind_label(kind: str) -> str:
    entry = IMPORTERS.get(kind)
    return str(entry[1]) if entry else kind
