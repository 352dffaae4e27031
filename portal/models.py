"""Organisation and people: agencies, units, employees, users, import batches and generated documents."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import nationalid
from .names import name_key
from .queries import AgencyQuerySet, EmployeeQuerySet, GeneratedDocumentQuerySet, ImportBatchQuerySet, UnitQuerySet
from .roles import Role
from .validators import validate_national_id


class Agency(models.Model):
    """A government body. A government is an agency without a parent."""

    name = models.CharField(_("機關名稱"), max_length=100)
    # Names arrive as 台 or 臺; this is the key imports match on.
    name_key = models.CharField(_("比對名稱"), max_length=100, unique=True, editable=False)
    code = models.CharField(_("機關代碼"), max_length=20, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上級機關"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    government = models.ForeignKey(
        "self",
        verbose_name=_("所屬政府"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    level = models.PositiveSmallIntegerField(_("層級"), default=0, editable=False)
    office_morning_start = models.TimeField(_("上午上班"), null=True, blank=True)
    office_morning_end = models.TimeField(_("上午下班"), null=True, blank=True)
    office_afternoon_start = models.TimeField(_("下午上班"), null=True, blank=True)
    office_afternoon_end = models.TimeField(_("下午下班"), null=True, blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("機關")
        verbose_name_plural = _("機關")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name

    @staticmethod
    def key_for(name: str) -> str:
        return name_key(name)

    def save(self, *args, **kwargs):
        self.name_key = self.key_for(self.name)
        if self.parent_id:
            self.level = self.parent.level + 1
            self.government_id = self.parent.government_id or self.parent_id
        else:
            self.level = 0
            self.government_id = None
        super().save(*args, **kwargs)

    @property
    def root(self):
        return self.government or self


class Unit(models.Model):
    """A section (單位) inside an agency."""

    agency = models.ForeignKey(Agency, verbose_name=_("機關"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("單位名稱"), max_length=100)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("單位")
        verbose_name_plural = _("單位")
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_per_agency")]

    def __str__(self):
        return f"{self.agency.name} {self.name}"


class Rank(models.TextChoices):
    SENIOR = "簡任", _("簡任")
    JUNIOR = "薦任", _("薦任")
    ELEMENTARY = "委任", _("委任")


class EmploymentType(models.TextChoices):
    ESTABLISHED = "編制內", _("編制內")
    APPOINTED = "聘用", _("聘用")
    CONTRACT = "約僱", _("約僱")
    EXAM_TRAINEE = "考試錄取", _("考試錄取")
    TEACHER = "教師", _("教師")
    WORKER = "職工", _("職工")
    TEMPORARY = "臨時人員", _("臨時人員")


class UnitRole(models.TextChoices):
    """Who a unit's reward goes to (Taoyuan's unit rule)."""

    UNIT_HEAD = "單位主管", _("單位主管")
    SUPERVISOR_IN_CHARGE = "主辦主管", _("主辦主管")
    OFFICER = "承辦人", _("承辦人")


class Employee(models.Model):
    national_id = models.CharField(_("身分證字號"), max_length=10, unique=True, validators=[validate_national_id])
    name = models.CharField(_("姓名"), max_length=50)
    agency = models.ForeignKey(Agency, verbose_name=_("機關"), on_delete=models.PROTECT, related_name="employees")
    unit = models.ForeignKey(
        Unit, verbose_name=_("單位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    title = models.CharField(_("職稱"), max_length=50, blank=True, default="")
    rank = models.CharField(_("官等"), max_length=4, choices=Rank.choices, blank=True, default="")
    # Contract staff carry the rank they are treated as (相當簡任 …).
    rank_equivalent = models.BooleanField(_("相當官等"), default=False)
    employment_type = models.CharField(
        _("人員類別"), max_length=8, choices=EmploymentType.choices, default=EmploymentType.ESTABLISHED
    )
    works_shifts = models.BooleanField(_("輪班"), default=False)
    unit_role = models.CharField(_("推動角色"), max_length=8, choices=UnitRole.choices, blank=True, default="")
    email = models.EmailField(_("電子郵件"), blank=True, default="")
    active = models.BooleanField(_("在職"), default=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("人員")
        verbose_name_plural = _("人員")
        ordering = ["agency__name", "unit__name", "name"]
        indexes = [models.Index(fields=["agency", "unit"])]

    def __str__(self):
        # Never the national ID: __str__ ends up in logs and admin messages.
        return f"{self.name}（{self.agency.name}）"

    @property
    def masked_national_id(self) -> str:
        return nationalid.mask(self.national_id)

    @property
    def rank_display(self) -> str:
        return f"相當{self.rank}" if self.rank and self.rank_equivalent else self.rank


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    employee = models.OneToOneField(
        Employee, verbose_name=_("人員"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("服務機關"),
        blank=True,
        related_name="coordinators",
        help_text=_("機關承辦人負責的機關（含其所屬機關）；人事人員若指定則僅限該政府。"),
    )
    headed_units = models.ManyToManyField(
        Unit,
        verbose_name=_("主管單位"),
        blank=True,
        related_name="heads",
    )

    class Meta:
        verbose_name = _("使用者")
        verbose_name_plural = _("使用者")

    @property
    def is_hr(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.HR)


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("等待中")
        RUNNING = "running", _("處理中")
        APPLIED = "applied", _("已匯入")
        VALIDATED = "validated", _("驗證通過（試算）")
        REJECTED = "rejected", _("檔案退回")
        FAILED = "failed", _("執行失敗")

    kind = models.CharField(_("匯入種類"), max_length=40)
    file_name = models.CharField(_("檔名"), max_length=255)
    file = models.FileField(_("檔案"), upload_to="imports/%Y/%m/", blank=True)
    options = models.JSONField(_("參數"), default=dict, blank=True)
    dry_run = models.BooleanField(_("僅試算"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("匯入者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始時間"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    status = models.CharField(_("狀態"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("執行次數"), default=0)
    progress = models.PositiveSmallIntegerField(_("進度（%）"), default=0)
    total_rows = models.PositiveIntegerField(_("資料列數"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未變動"), default=0)
    withdrawn_count = models.PositiveIntegerField(_("撤回"), default=0)
    errors = models.JSONField(_("錯誤"), default=list, blank=True)
    message = models.TextField(_("訊息"), blank=True, default="")
    # What the import adds, corrects and withdraws, row by row (up to REPORT_ROWS of each):
    # {"additions": [{"key": {…}, "values": {…}}], "withdrawals": [same, values before],
    #  "corrections": [{"key": withdrawn key, "values": before, "after_key": the file's key}]}.
    report = models.JSONField(_("異動明細"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # A preview HR may apply: its file is kept after validation until `keep_until` (or until
    # it is applied), then purged (services.purge_expired_previews).
    preview = models.BooleanField(_("預覽後套用"), default=False)
    keep_until = models.DateTimeField(_("檔案保存至"), null=True, blank=True)
    applied_from = models.ForeignKey(
        "self",
        verbose_name=_("套用自預覽批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("匯入批次")
        verbose_name_plural = _("匯入批次")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.file_name}"

    def get_kind_display(self) -> str:
        from .registry import kind_label

        return kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.APPLIED, self.Status.VALIDATED, self.Status.REJECTED, self.Status.FAILED}

    def error_lines(self) -> list[str]:
        return [format_error(e) for e in self.errors]

    @property
    def can_be_applied(self) -> bool:
        """A validated preview whose file is still kept: HR may apply it as it is."""
        return bool(self.preview and self.status == self.Status.VALIDATED and self.file)


def format_error(error: dict) -> str:
    """`row N, column: message`, as CONTRACTS.md fixes it (row 0 is the file itself)."""
    row, column, message = error.get("row"), error.get("column") or "", error["message"]
    if row:
        return f"row {row}, {column}: {message}" if column else f"row {row}: {message}"
    return f"{column}: {message}" if column else message


class GeneratedDocument(models.Model):
    """A long document (a roster of thousands) rendered by a job; its requester downloads it when ready."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待中")
        RUNNING = "running", _("產製中")
        READY = "ready", _("可下載")
        FAILED = "failed", _("產製失敗")
        EXPIRED = "expired", _("已逾保存期限")

    kind = models.CharField(_("文件種類"), max_length=40)
    title = models.CharField(_("文件名稱"), max_length=300)
    parameters = models.JSONField(_("參數"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("進度（%）"), default=0)
    file = models.FileField(_("檔案"), upload_to="documents/%Y/%m/", blank=True)
    file_name = models.CharField(_("下載檔名"), max_length=100, blank=True, default="")
    message = models.TextField(_("訊息"), blank=True, default="")
    created_at = models.DateTimeField(_("申請時間"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始時間"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成時間"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保存期限"), null=True, blank=True)

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("產製文件")
        verbose_name_plural = _("產製文件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED, self.Status.EXPIRED}

    def is_downloadable(self, now=None) -> bool:
        from django.utils import timezone

        return (
            self.status == self.Status.READY
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > (now or timezone.now()))
        )


class AuditEntry(models.Model):
    """Who decided what, when, with the values before and after (written by services)."""

    at = models.DateTimeField(_("時間"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("動作"), max_length=50)
    object_type = models.CharField(_("對象類型"), max_length=50)
    object_id = models.CharField(_("對象編號"), max_length=40)
    summary = models.CharField(_("摘要"), max_length=300, blank=True, default="")
    before = models.JSONField(_("變更前"), null=True, blank=True)
    after = models.JSONField(_("變更後"), null=True, blank=True)

    class Meta:
        verbose_name = _("稽核紀錄")
        verbose_name_plural = _("稽核紀錄")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class Notice(models.Model):
    """One message sent to one person: an event (an application approved, a 獎懲令 issued) or a
    nightly reminder (hours lapsing, a filing deadline, waiting work).

    One row per (recipient, kind, key): `key` names what the message is about (an application,
    a plan's rule, the person's waiting work) and `fingerprint` what in it matters (hours,
    dates, counts, the moment of the event). A reminder whose fingerprint is unchanged is not
    sent again (issue 18, "sent once"); a changed one is sent and the row updated.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("通知種類"), max_length=40)
    key = models.CharField(_("通知對象"), max_length=120)
    fingerprint = models.CharField(_("內容摘要碼"), max_length=64)
    subject = models.CharField(_("主旨"), max_length=200)
    email = models.CharField(_("寄送地址"), max_length=254)
    sent_at = models.DateTimeField(_("寄送時間"))

    class Meta:
        verbose_name = _("通知紀錄")
        verbose_name_plural = _("通知紀錄")
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"], name="notice_once_per_key")]

    def __str__(self):
        return self.subject


class NoticeOptOut(models.Model):
    """A reminder kind a person turned off on their preferences page (mandatory kinds cannot be)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("使用者"), on_delete=models.CASCADE, related_name="notice_opt_outs"
    )
    kind = models.CharField(_("通知種類"), max_length=40)

    class Meta:
        verbose_name = _("不接收的通知")
        verbose_name_plural = _("不接收的通知")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_opt_out_once")]
