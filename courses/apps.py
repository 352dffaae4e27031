from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_calendars(sender, **kwargs):
    from .services import load_shipped_calendars

    load_shipped_calendars()


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("課程與學習紀錄")

    def ready(self):
        # The real office calendars ship with the portal and are there after every migrate.
        post_migrate.connect(_load_calendars, sender=self, dispatch_uid="courses.load_calendars")
        from portal.registry import register_importer

        from . import importers

        register_importer("records", importers.RecordImporter, _("學習紀錄"))
        register_importer("forum", importers.ForumImporter, _("論壇發表統計"))
        register_importer("attendance", importers.AttendanceImporter, _("差勤紀錄"))
        register_importer("calendar", importers.CalendarImporter, _("辦公日曆"))
        register_importer("course-list", importers.CourseListImporter, _("課程清單"))
