"""One place where services record their decisions."""
import getpass
import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _json(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(actor, action: str, obj, summary: str = "", before: dict | None = None, after: dict | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None, action=action,
        object_type=obj._meta.label_lower, object_id=str(obj.pk), summary=summary[:300],
        before=_json(before), after=_json(after),
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
    return AuditEntry.objects.bulk_create([
        AuditEntry(actor=actor if getattr(actor, "pk", None) else None, action=action,
                   object_type=obj._meta.label_lower, object_id=str(obj.pk), summary=summary[:300],
                   before=_json(before), after=_json(after))
        for obj, summary, before, after in items])
