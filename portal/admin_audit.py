"""Admin edits write audit entries too, with the values before and after; each object shows its history."""
from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry


class AuditedAdminMixin:
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["audit_history"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk), fields=form.changed_data) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj, fields=form.changed_data)
        audit.record(request.user, "admin_change" if change else "admin_add", obj, str(obj)[:200],
                     before=_plain(before), after=_plain(after))

    def delete_model(self, request, obj):
        audit.record(request.user, "admin_delete", obj, str(obj)[:200], before=_plain(model_to_dict(obj)))
        super().delete_model(request, obj)

    @admin.display(description=_("稽核紀錄"))
    def audit_history(self, obj):
        entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")[:50]
        if not entries:
            return "—"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (e.at.strftime("%Y-%m-%d %H:%M"), e.actor or "—", e.action, e.before or "", e.after or "") for e in entries))
        return format_html("<table><thead><tr><th>時間</th><th>操作者</th><th>動作</th><th>變更前</th><th>變更後</th></tr></thead>"
                           "<tbody>{}</tbody></table>", rows)


def _plain(values):
    if values is None:
        return None
    return {k: (list(map(str, v)) if isinstance(v, (list, tuple, set)) else v) for k, v in values.items()}
