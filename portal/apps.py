from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig


class PortalConfig(AppConfig):
    default = True  # this module also holds the configs of two third-party apps below
    name = "portal"
    verbose_name = _("組織與人員")

    def ready(self):
        from . import (
            admin_display,
            audit,
            lookups,  # noqa: F401 (registers `__any_of`)
            tasks,  # noqa: F401 (registers the jobs that portal.services queues by name)
        )
        from .admin_display import register_labels
        from .importers import RosterImporter
        from .models import Agency, ImportBatch
        from .notices import todo_panel
        from .registry import register_home_panel, register_importer

        register_importer("roster", RosterImporter, _("人員名冊"))
        # Each role's to-do list (issue 18): the items the apps' message kinds find for the user.
        register_home_panel(todo_panel)
        register_labels(actions={"notice_preferences": _("變更通知設定")}, keys={"off": _("不接收的通知")})

        # A batch the officer's government submitted (ImportBatch.objects.visible_to); an agency
        # of the government (a timetable job, an admin edit).
        audit.register_attribution("portal.importbatch", ImportBatch.objects.visible_to)
        audit.register_attribution("portal.agency", Agency.objects.visible_to)
        admin_display.install()
        _hide_scheduler_from_the_admin_index()
        _watch_writes()


class AxesConfig(AxesAppConfig):
    """django-axes under a name HR reads: its lists are where a locked account is unlocked."""

    verbose_name = _("登入鎖定")


class ScheduleConfig(BeatConfig):
    """django-celery-beat's tables, named in Chinese (and kept off HR's admin index)."""

    verbose_name = _("排程工作")


def _hide_scheduler_from_the_admin_index():
    """The nightly jobs are set in settings.CELERY_BEAT_SCHEDULE; HR has nothing to do with their
    tables, so the admin index does not list them (a system administrator still reaches them by URL)."""
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "django_celery_beat":
            model_admin.has_module_permission = lambda request: False


def _watch_writes() -> None:
    """Every write through Django's connections starts a new data generation (portal.pagecache):
    each connection gets the watch when it opens, and any already open gets it now."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    from . import pagecache

    connection_created.connect(pagecache.on_connection_created, dispatch_uid="portal.pagecache")
    for connection in connections.all(initialized_only=True):
        pagecache.install(connection)
