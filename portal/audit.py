"""One place where services record their decisions."""

import getpass
import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry

# object type ("leave.entry") -> function(user) -> queryset of the objects of that type whose
# system-job entries the user may read (see `register_attribution`).
_ATTRIBUTIONS = {}


def _json(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    actor, action: str, obj, summary: str = "", before: dict | None = None, after: dict | None = None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
        before=_json(before),
        after=_json(after),
    )


def command_line(what: str) -> str:
    """Who ran a management command, for entries that have no portal user (imports, load_plans)."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # a container's UID without a passwd entry
        account = "?"
    return f"（命令列 {what}，系統帳號 {account}）"


def record_many(actor, action: str, items) -> list[AuditEntry]:
    """One audit entry per (obj, summary, before, after), written in one statement (a nightly job's thousands)."""
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                summary=summary[:300],
                before=_json(before),
                after=_json(after),
            )
            for obj, summary, before, after in items
        ]
    )


def register_attribution(object_type: str, objects_of) -> None:
    """Say how entries written by a system job (no actor: Celery's grant and lapse runs, imports
    from the command line, `load_plans`) on objects of `object_type` are attributed to a
    government: `objects_of(user)` returns a queryset of the objects the user may see.

    Apps register in `AppConfig.ready()`; the base never names an app's models. An object type
    nobody registered is attributed to no government: its system entries are for HR serving
    every government only.
    """
    _ATTRIBUTIONS[object_type] = objects_of


def system_entries_of(user):
    """A Q over AuditEntry: the entries with no actor that can be attributed to what the user may
    see (`register_attribution`). HR scoped to one government reads these besides what its
    government's accounts did (portal.admin.AuditEntryAdmin)."""
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    condition = Q(pk__in=[])
    for object_type, objects_of in sorted(_ATTRIBUTIONS.items()):
        ids = objects_of(user).order_by().annotate(id_text=Cast("pk", CharField())).values("id_text")
        condition |= Q(object_type=object_type, object_id__in=ids)
    return Q(actor__isnull=True) & condition
