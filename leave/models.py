"""Compensatory leave (補休) for off-duty learning: an append-only ledger and applications."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.statemachine import Machine, transition


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申請")
        APPROVED = "approved", _("主管已核章")
        RETURNED = "returned", _("主管退回")
        REGISTERED = "registered", _("人事已登記")
        CANCELLED = "cancelled", _("已取消")

    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("申請人"), on_delete=models.PROTECT, related_name="leave_applications"
    )
    plan = models.ForeignKey("programs.Plan", verbose_name=_("年度計畫"), on_delete=models.PROTECT, related_name="+")
    leave_date = models.DateField(_("補休日期"))
    starts_at = models.TimeField(_("起"))
    ends_at = models.TimeField(_("迄"))
    # Two decimals in every database (DOMAIN.md Decision): SQLite and PostgreSQL round a
    # third differently, so nothing is ever stored with one.
    hours = models.DecimalField(_("時數"), max_digits=6, decimal_places=2)
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("申請時間"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核章主管"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核章時間"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登記人事人員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("登記時間"), null=True, blank=True)
    note = models.CharField(_("說明"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("補休申請")
        verbose_name_plural = _("補休申請")
        ordering = ["-leave_date"]

    def __str__(self):
        return f"{self.employee.name} {self.leave_date} {self.hours} 小時"


# The application's states, declared once (portal.statemachine). Who: the unit head approves or
# returns (HR for a head's own, leave.services._may_decide); HR registers; the applicant or HR
# cancels before the day. A cancellation or a return gives the charged hours back.
_A = Application.Status
APPLICATION_MACHINE = Machine(
    Application,
    _("補休申請"),
    {
        "approve": transition(
            {_A.SUBMITTED},
            _A.APPROVED,
            _("核章"),
            who="applicant's unit head; HR for a head's own",
            actor_field="decided_by",
            time_field="decided_at",
            action="leave_approved",
        ),
        "return": transition(
            {_A.SUBMITTED},
            _A.RETURNED,
            _("退回"),
            who="applicant's unit head; HR for a head's own",
            actor_field="decided_by",
            time_field="decided_at",
            action="leave_returned",
        ),
        "register": transition(
            {_A.APPROVED},
            _A.REGISTERED,
            _("登記"),
            who="HR serving the applicant",
            actor_field="registered_by",
            time_field="registered_at",
            action="leave_registered",
        ),
        "cancel": transition(
            {_A.SUBMITTED, _A.APPROVED, _A.REGISTERED},
            _A.CANCELLED,
            _("取消"),
            who="the applicant, or HR; before the leave day",
            action="leave_cancelled",
        ),
    },
)
del _A


class Entry(models.Model):
    """One line of the ledger. Nothing is updated or deleted: a balance is a sum."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("核給")
        USE = "use", _("使用")
        LAPSE = "lapse", _("逾期失效")
        REVERSAL = "reversal", _("沖銷")

    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.PROTECT, related_name="leave_entries"
    )
    plan = models.ForeignKey("programs.Plan", verbose_name=_("年度計畫"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("類別"), max_length=8, choices=Kind.choices)
    # Grants are positive; uses and lapses negative; a reversal undoes the entry it points to
    # (a use given back, or the unused hours of a grant HR withdrew). Two decimals everywhere.
    hours = models.DecimalField(_("時數"), max_digits=7, decimal_places=2)
    grant = models.ForeignKey(
        "self", verbose_name=_("核給項目"), null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("沖銷項目"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("補休申請"), null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    earned_on = models.DateField(_("取得日期"), null=True, blank=True)
    usable_until = models.DateField(_("使用期限"), null=True, blank=True)
    rule_code = models.CharField(_("規則"), max_length=50, blank=True, default="")
    # What a grant is for within its rule (a policy course, a side bundle): one live grant each.
    grant_key = models.CharField(_("核給項目代碼"), max_length=300, blank=True, default="")
    records = models.ManyToManyField(
        "courses.LearningRecord",
        verbose_name=_("學習紀錄"),
        blank=True,
        through="RecordUse",
        related_name="leave_grants",
    )
    text = models.CharField(_("說明"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("登錄時間"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登錄者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("補休帳")
        verbose_name_plural = _("補休帳")
        ordering = ["employee_id", "created_at", "id"]
        indexes = [models.Index(fields=["employee", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="grant", hours__gt=0) | ~models.Q(kind="grant"), name="grant_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["use", "lapse"], hours__lt=0) | ~models.Q(kind__in=["use", "lapse"]),
                name="use_and_lapse_negative",
            ),
        ]


class RecordUse(models.Model):
    """A learning record backs at most one grant: the database refuses a second."""

    record = models.OneToOneField("courses.LearningRecord", on_delete=models.PROTECT, related_name="leave_use")
    grant = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="record_uses")

    class Meta:
        verbose_name = _("補休採計紀錄")
        verbose_name_plural = _("補休採計紀錄")


class GrantReview(models.Model):
    """A grant put before HR because a later import changed what it rests on.

    Until HR decides, the grant counts and can be used (CONTRACTS.md `under_review`); HR keeps
    it, or withdraws it, which writes a reversal of its unused hours. Hours already used stay used.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待人事複核")
        KEPT = "kept", _("維持核給")
        WITHDRAWN = "withdrawn", _("撤銷核給")

    grant = models.ForeignKey(Entry, verbose_name=_("核給項目"), on_delete=models.PROTECT, related_name="reviews")
    reason = models.CharField(_("複核原因"), max_length=500)
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("送複核時間"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("複核人員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("複核時間"), null=True, blank=True)
    note = models.CharField(_("複核說明"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("補休複核")
        verbose_name_plural = _("補休複核")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant"], condition=models.Q(status="open"), name="one_open_review_per_grant"
            )
        ]

    def __str__(self):
        return f"{self.grant.employee.name} {self.grant.hours} 小時（{self.get_status_display()}）"


# A review's states, declared once: HR serving the employee keeps the grant or withdraws it
# (a reversal of its unused hours, leave.services.decide_review).
_R = GrantReview.Status
GRANT_REVIEW_MACHINE = Machine(
    GrantReview,
    _("補休複核案"),
    {
        "keep": transition(
            {_R.OPEN},
            _R.KEPT,
            _("維持核給"),
            who="HR serving the employee",
            actor_field="decided_by",
            time_field="decided_at",
            action="leave_review_kept",
        ),
        "withdraw": transition(
            {_R.OPEN},
            _R.WITHDRAWN,
            _("撤銷核給"),
            who="HR serving the employee, with a reason",
            actor_field="decided_by",
            time_field="decided_at",
            action="leave_review_withdrawn",
        ),
    },
)
del _R
