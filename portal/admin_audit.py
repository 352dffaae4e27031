"""Admin edits write audit entries too, with the values before and after; each object shows its history.

Edits in inlines (a plan's activities, a class's sessions, a list's courses) and rows imported
through django-import-export's admin import are audited the same way, row by row."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry


class ReadOnlyAdminMixin:
    """A list HR reads but never edits here: rows written by a service or an import only
    (the ledger, the audit trail, imported records)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["audit_history"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        before = (
            model_to_dict(type(obj).objects.get(pk=obj.pk), fields=form.changed_data) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj, fields=form.changed_data)
        if before is not None:
            before, after = _differences(before, after)
        audit.record(
            request.user,
            "admin_change" if change else "admin_add",
            obj,
            str(obj)[:200],
            before=_plain(before),
            after=_plain(after),
        )

    def delete_model(self, request, obj):
        audit.record(request.user, "admin_delete", obj, str(obj)[:200], before=_plain(model_to_dict(obj)))
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows: each added, changed or deleted row gets its own entry."""
        fields_of = {f: f.changed_data for f in formset.forms if f.instance.pk and f.has_changed()}
        before = {
            f: model_to_dict(type(f.instance).objects.get(pk=f.instance.pk), fields=changed)
            for f, changed in fields_of.items()
            if f not in formset.deleted_forms
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                audit.record(
                    request.user,
                    "admin_delete",
                    deleted.instance,
                    str(deleted.instance)[:200],
                    before=_plain(model_to_dict(deleted.instance)),
                )
        super().save_formset(request, form, formset, change)
        for inline_form, values in before.items():
            old, new = _differences(values, model_to_dict(inline_form.instance, fields=fields_of[inline_form]))
            if new:
                audit.record(
                    request.user,
                    "admin_change",
                    inline_form.instance,
                    str(inline_form.instance)[:200],
                    before=_plain(old),
                    after=_plain(new),
                )
        for added in formset.new_objects:
            audit.record(request.user, "admin_add", added, str(added)[:200], after=_plain(model_to_dict(added)))

    @admin.display(description=_("稽核紀錄"))
    def audit_history(self, obj):
        entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
            "actor"
        )[:50]
        if not entries:
            return "—"
        from .admin_display import action_label, readable_json, roc_datetime

        # In Asia/Taipei like every other time on the page (a raw strftime printed UTC, 8 hours off).
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    roc_datetime(e.at),
                    e.actor or "—",
                    action_label(e.action),
                    readable_json(e.before) if e.before else "",
                    readable_json(e.after) if e.after else "",
                )
                for e in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>時間</th><th>操作者</th><th>動作</th><th>變更前</th><th>變更後</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


class AuditedResourceMixin:
    """django-import-export resources: every row the admin import creates, changes or deletes
    writes an entry with the importing user and the values before and after (never on the
    preview, which is a dry run)."""

    def save_instance(self, instance, is_create, row, **kwargs):
        stored = None if is_create or not instance.pk else model_to_dict(type(instance).objects.get(pk=instance.pk))
        super().save_instance(instance, is_create, row, **kwargs)
        if kwargs.get("dry_run"):
            return
        after = model_to_dict(instance)
        before = None
        if stored is not None:
            changed = [k for k in after if stored.get(k) != after[k]]
            if not changed:
                return
            before, after = {k: stored.get(k) for k in changed}, {k: after[k] for k in changed}
        audit.record(
            kwargs.get("user"),
            "admin_import_add" if is_create else "admin_import_change",
            instance,
            str(instance)[:200],
            before=_plain(before),
            after=_plain(after),
        )

    def delete_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            audit.record(
                kwargs.get("user"),
                "admin_import_delete",
                instance,
                str(instance)[:200],
                before=_plain(model_to_dict(instance)),
            )
        super().delete_instance(instance, row, **kwargs)


def _differences(before: dict, after: dict) -> tuple[dict, dict]:
    """Only what really changed: a form marks a field changed when its text differs (a JSON
    field posted back as "{}") even if the value is the same."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _plain(values):
    if values is None:
        return None
    return {k: (list(map(str, v)) if isinstance(v, (list, tuple, set)) else v) for k, v in values.items()}
