"""Courses, bundles, and what the rules count: learning records, forum tallies,
attendance periods and the office calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import normalize_course_name


def imported_by():
    """The import batch that last wrote a row: provenance shown to HR, read by no query.

    Neither a database constraint nor an index: the batch row is committed before its import
    starts, Django still sets the pointer to NULL when a batch is deleted, and checking the
    constraint and keeping the index cost 5–15 % of a 200,000-row import (bench/).
    """
    return models.ForeignKey(
        "portal.ImportBatch",
        verbose_name=_("匯入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )


class Platform(models.Model):
    name = models.CharField(_("平臺名稱"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("學習平臺")
        verbose_name_plural = _("學習平臺")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Course(models.Model):
    name = models.CharField(_("課程名稱"), max_length=300)
    # Exports spell names with different dashes, brackets and widths; match on this.
    name_key = models.CharField(_("比對名稱"), max_length=300, editable=False, db_index=True)
    platform = models.ForeignKey(
        Platform, verbose_name=_("平臺"), null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    hours = models.DecimalField(_("認證時數"), max_digits=6, decimal_places=2, default=0)
    category = models.CharField(_("課程類別"), max_length=50, blank=True, default="")
    competency = models.CharField(_("核心職能"), max_length=100, blank=True, default="")
    is_digital = models.BooleanField(_("數位課程"), default=True)
    job_related = models.BooleanField(_("與業務相關"), default=False)

    class Meta:
        verbose_name = _("課程")
        verbose_name_plural = _("課程")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name_key", "platform"], name="course_unique_per_platform"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = normalize_course_name(self.name)
        super().save(*args, **kwargs)


class CourseList(models.Model):
    """A plan's named list: Tainan's policy courses, Hualien's buffet, Kaohsiung's seasonal reading."""

    plan = models.ForeignKey(
        "programs.Plan", verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="course_lists"
    )
    slug = models.SlugField(_("代碼"), max_length=50)
    name = models.CharField(_("名稱"), max_length=100)
    courses = models.ManyToManyField(Course, through="CourseListEntry", verbose_name=_("課程"))

    class Meta:
        verbose_name = _("課程清單")
        verbose_name_plural = _("課程清單")
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="course_list_unique_per_plan")]

    def __str__(self):
        return f"{self.plan.slug} {self.name}"


class CourseListEntry(models.Model):
    course_list = models.ForeignKey(CourseList, on_delete=models.CASCADE, related_name="entries")
    course = models.ForeignKey(Course, verbose_name=_("課程"), on_delete=models.PROTECT)
    hours = models.DecimalField(_("認證時數"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("清單課程")
        verbose_name_plural = _("清單課程")
        constraints = [models.UniqueConstraint(fields=["course_list", "course"], name="course_list_entry_unique")]


class Bundle(models.Model):
    """Kaohsiung's 主餐 (one per rank) and 副餐 bundles."""

    class Kind(models.TextChoices):
        MAIN = "main", _("主餐")
        SIDE = "side", _("副餐")

    plan = models.ForeignKey(
        "programs.Plan", verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="bundles"
    )
    slug = models.SlugField(_("代碼"), max_length=50)
    name = models.CharField(_("名稱"), max_length=100)
    kind = models.CharField(_("種類"), max_length=8, choices=Kind.choices)
    rank = models.CharField(_("適用官等"), max_length=4, blank=True, default="")
    hours = models.DecimalField(_("總時數"), max_digits=6, decimal_places=2)
    courses = models.ManyToManyField(Course, through="BundleCourse", verbose_name=_("課程"))

    class Meta:
        verbose_name = _("套餐")
        verbose_name_plural = _("套餐")
        ordering = ["plan", "kind", "hours"]
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="bundle_unique_per_plan")]

    def __str__(self):
        return self.name


class BundleCourse(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    course = models.ForeignKey(Course, verbose_name=_("課程"), on_delete=models.PROTECT)
    hours = models.DecimalField(_("時數"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("套餐課程")
        verbose_name_plural = _("套餐課程")
        constraints = [models.UniqueConstraint(fields=["bundle", "course"], name="bundle_course_unique")]


class CountedRecordManager(models.Manager):
    """Learning records that count: every rule, page, figure and fact reads these.

    A withdrawn record (a later export with `--period` no longer holds it) is kept for the
    audit trail but counted nowhere; `LearningRecord.all_objects` sees it too.
    """

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class LearningRecord(models.Model):
    class Mode(models.TextChoices):
        DIGITAL = "數位", _("數位")
        CLASSROOM = "實體", _("實體")
        BLENDED = "混成", _("混成")

    # No index of its own: the natural key's unique index starts with the employee, and every
    # index costs each imported row.
    employee = models.ForeignKey(
        "portal.Employee",
        verbose_name=_("人員"),
        on_delete=models.CASCADE,
        related_name="learning_records",
        db_index=False,
    )
    course_name = models.CharField(_("課程名稱"), max_length=300)
    course_key = models.CharField(_("比對名稱"), max_length=300, editable=False)
    provider = models.CharField(_("開課機關"), max_length=100, blank=True, default="")
    hours = models.DecimalField(_("學習時數"), max_digits=6, decimal_places=2)
    digital_hours = models.DecimalField(_("數位時數"), max_digits=6, decimal_places=2, default=0)
    mode = models.CharField(_("學習性質"), max_length=4, choices=Mode.choices, blank=True, default="")
    category = models.CharField(_("課程類別"), max_length=50, blank=True, default="")
    job_related = models.BooleanField(_("與業務相關"), default=False)
    started_on = models.DateField(_("學習起日"), null=True, blank=True)
    completed_on = models.DateField(_("學習迄日"))
    completed_at = models.TimeField(_("完成時間"), null=True, blank=True)
    # Set when the hours back a compensatory-leave grant: they cannot back an overtime claim too.
    used_for_leave = models.BooleanField(_("已用於補休"), default=False)
    batch = imported_by()
    # Set when a later export, complete for the person over a period, no longer holds the
    # record; cleared when an export brings its key back (portal/imports/upsert.py, `cleared`).
    withdrawn_at = models.DateTimeField(_("撤回時間"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        "portal.ImportBatch",
        verbose_name=_("撤回批次"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    # The first manager is the default one, which related managers use too: withdrawn records
    # drop out of every query that does not ask for them by name.
    objects = CountedRecordManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("學習紀錄")
        verbose_name_plural = _("學習紀錄")
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course_key", "completed_on", "provider"], name="learning_record_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["completed_on"]),
            # What the evaluation reads of a person's year, without visiting the table: the
            # hour sums (Taoyuan, the standings) and the bundle and list records with their
            # times (Kaohsiung's and Tainan's leave rules) are index-only scans on PostgreSQL
            # (issue 20: evaluation within 2x a bare GROUP BY). SQLite ignores `include`.
            models.Index(
                fields=["employee", "completed_on"],
                include=["id", "course_key", "hours", "digital_hours", "job_related", "completed_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="record_person_year",
            ),
        ]
        # Forward relations (a ledger entry's record) still reach a withdrawn record.
        base_manager_name = "all_objects"

    def __str__(self):
        return f"{self.course_name}（{self.completed_on}）"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ForumTally(models.Model):
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="forum_tallies"
    )
    forum = models.CharField(_("論壇名稱"), max_length=100)
    window_start = models.DateField(_("統計起日"))
    window_end = models.DateField(_("統計迄日"))
    posts = models.PositiveIntegerField(_("發表篇數"))
    replies = models.PositiveIntegerField(_("回應篇數"))
    excluded = models.PositiveIntegerField(_("不計入篇數"), default=0)
    batch = imported_by()

    class Meta:
        verbose_name = _("論壇發表統計")
        verbose_name_plural = _("論壇發表統計")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "forum", "window_start", "window_end"], name="forum_tally_natural_key"
            ),
            models.CheckConstraint(
                condition=models.Q(excluded__lte=models.F("posts") + models.F("replies")),
                name="forum_tally_excluded_not_above_total",
            ),
        ]

    @property
    def counted(self) -> int:
        """Posts + replies − excluded (DOMAIN.md, "Forum tally")."""
        return self.posts + self.replies - self.excluded


class AttendancePeriod(models.Model):
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="attendance"
    )
    kind = models.CharField(_("假別"), max_length=8)
    starts_at = models.DateTimeField(_("起始"))
    ends_at = models.DateTimeField(_("迄止"))
    batch = imported_by()

    class Meta:
        verbose_name = _("差勤紀錄")
        verbose_name_plural = _("差勤紀錄")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "kind", "starts_at", "ends_at"], name="attendance_natural_key"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="attendance_ends_after_start"
            ),
        ]


class CalendarDay(models.Model):
    """One day of the government office calendar (政府行政機關辦公日曆表)."""

    date = models.DateField(_("日期"), unique=True)
    is_day_off = models.BooleanField(_("放假"))
    note = models.CharField(_("備註"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("辦公日曆")
        verbose_name_plural = _("辦公日曆")
        ordering = ["date"]
