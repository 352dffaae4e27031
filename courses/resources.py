"""django-import-export resources: HR edits courses, lists and bundles as XLSX."""

from import_export import fields, resources, widgets

from portal.admin_audit import AuditedResourceMixin

from .models import BundleCourse, Course, CourseListEntry, Platform


class CourseResource(AuditedResourceMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="課程名稱")
    platform = fields.Field(attribute="platform", column_name="平臺", widget=widgets.ForeignKeyWidget(Platform, "name"))
    hours = fields.Field(attribute="hours", column_name="認證時數", widget=widgets.DecimalWidget())
    category = fields.Field(attribute="category", column_name="課程類別")
    competency = fields.Field(attribute="competency", column_name="核心職能")
    is_digital = fields.Field(attribute="is_digital", column_name="數位課程", widget=widgets.BooleanWidget())
    job_related = fields.Field(attribute="job_related", column_name="與業務相關", widget=widgets.BooleanWidget())

    class Meta:
        model = Course
        fields = ["id", "name", "platform", "hours", "category", "competency", "is_digital", "job_related"]
        import_id_fields = ["name", "platform"]
        skip_unchanged = True


class CourseListEntryResource(AuditedResourceMixin, resources.ModelResource):
    course_list = fields.Field(attribute="course_list__slug", column_name="清單代碼", readonly=True)
    course = fields.Field(attribute="course", column_name="課程名稱", widget=widgets.ForeignKeyWidget(Course, "name"))
    hours = fields.Field(attribute="hours", column_name="認證時數", widget=widgets.DecimalWidget())

    class Meta:
        model = CourseListEntry
        fields = ["id", "course_list", "course", "hours"]


class BundleCourseResource(AuditedResourceMixin, resources.ModelResource):
    bundle = fields.Field(attribute="bundle__name", column_name="套餐", readonly=True)
    course = fields.Field(attribute="course", column_name="課程名稱", widget=widgets.ForeignKeyWidget(Course, "name"))
    hours = fields.Field(attribute="hours", column_name="時數", widget=widgets.DecimalWidget())

    class Meta:
        model = BundleCourse
        fields = ["id", "bundle", "course", "hours"]
