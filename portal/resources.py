"""django-import-export resources for the small tables HR maintains in the admin."""

from import_export import fields, resources, widgets

from .admin_audit import AuditedResourceMixin
from .models import Agency


class AgencyResource(AuditedResourceMixin, resources.ModelResource):
    parent = fields.Field(
        attribute="parent", column_name="上級機關", widget=widgets.ForeignKeyWidget(Agency, field="name")
    )
    name = fields.Field(attribute="name", column_name="機關名稱")
    code = fields.Field(attribute="code", column_name="機關代碼")

    class Meta:
        model = Agency
        fields = ["id", "name", "code", "parent"]
        import_id_fields = ["name"]
        skip_unchanged = True
        report_skipped = False
