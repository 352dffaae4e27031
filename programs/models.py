"""Annual plans (年度計畫), their activities, classes and the agency work around them."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.statemachine import Machine, transition


class OffDutyDefinition(models.TextChoices):
    """How a plan defines off-duty time (公餘時段); see courses.offduty."""

    WHOLE_DAYS = "whole_days", _("僅限整日休假（臺南市）")
    OUTSIDE_OFFICE_HOURS = "outside_office_hours", _("辦公時間以外（高雄市）")


class Plan(models.Model):
    slug = models.SlugField(_("代碼"), max_length=50, unique=True)
    issuer = models.ForeignKey(
        "portal.Agency", verbose_name=_("發布機關"), on_delete=models.PROTECT, related_name="plans"
    )
    roc_year = models.PositiveSmallIntegerField(_("民國年度"))
    title = models.CharField(_("計畫名稱"), max_length=200)
    slogan = models.CharField(_("標語"), max_length=200, blank=True, default="")
    issued_on = models.DateField(_("發布日期"), null=True, blank=True)
    reference = models.CharField(_("發文字號"), max_length=100, blank=True, default="")
    basis = models.JSONField(_("依據"), default=list, blank=True)
    goals = models.JSONField(_("目標"), default=list, blank=True)
    starts_on = models.DateField(_("計畫起日"), null=True, blank=True)
    ends_on = models.DateField(_("計畫迄日"), null=True, blank=True)
    coverage_text = models.TextField(_("適用對象"), blank=True, default="")
    employment_types = models.JSONField(
        _("適用人員類別"), default=list, blank=True, help_text=_("空白表示所有人員類別")
    )
    excluded_agencies = models.ManyToManyField(
        "portal.Agency", verbose_name=_("排除機關"), blank=True, related_name="+"
    )
    off_duty_definition = models.CharField(
        _("公餘時段定義"), max_length=24, choices=OffDutyDefinition.choices, blank=True, default=""
    )
    kpis = models.JSONField(_("績效指標"), default=list, blank=True)
    # Rule parameters as data (thresholds, windows, deadlines, caps), each citing its clause.
    parameters = models.JSONField(_("規則參數"), default=dict, blank=True)

    class Meta:
        verbose_name = _("年度計畫")
        verbose_name_plural = _("年度計畫")
        ordering = ["-roc_year", "slug"]

    def __str__(self):
        return f"{self.roc_year}年 {self.title}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        TRAINING_CLASS = "training_class", _("研習班別")
        ENGLISH_CAMP = "english_camp", _("線上英語營")
        YIXING = "yixing", _("熠星方案")
        MENTORING = "mentoring", _("電子師徒制")
        MICRO_LEARNING = "micro_learning", _("微微學習")
        CONTEST = "contest", _("競賽")
        FORUM = "forum", _("論壇與社群")
        READING = "reading", _("數位閱讀")
        BUNDLE_PROMOTION = "bundle_promotion", _("套餐課程")
        SHOWCASE = "showcase", _("成果展")
        TALENT_REGISTRY = "talent_registry", _("數位人才資料庫")
        READING_BID = "reading_bid", _("數位閱讀計畫競標")
        OTHER = "other", _("其他")

    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="activities")
    slug = models.SlugField(_("代碼"), max_length=50)
    kind = models.CharField(_("類型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名稱"), max_length=200)
    clause = models.CharField(_("計畫條次"), max_length=50, blank=True, default="")
    starts_on = models.DateField(_("起日"), null=True, blank=True)
    ends_on = models.DateField(_("迄日"), null=True, blank=True)
    participants = models.TextField(_("參加對象"), blank=True, default="")
    description = models.TextField(_("辦理方式"), blank=True, default="")
    details = models.JSONField(_("其他參數"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("順序"), default=0)

    class Meta:
        verbose_name = _("計畫活動")
        verbose_name_plural = _("計畫活動")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="activity_unique_per_plan")]

    def __str__(self):
        return self.name


class TrainingClass(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="classes")
    slug = models.SlugField(_("代碼"), max_length=50)
    name = models.CharField(_("班別"), max_length=200)
    eligibility = models.TextField(_("參加資格"), blank=True, default="")
    # {"requires_attended": [...], "excludes_attended": [...], "roles_any": [...]}
    conditions = models.JSONField(_("資格條件"), default=dict, blank=True)
    priority_groups = models.JSONField(_("優先順序"), default=list, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(_("預定期數"), default=1)
    days_per_session = models.PositiveSmallIntegerField(_("每期天數"), default=1)
    hours_per_session = models.PositiveSmallIntegerField(_("每期時數"), null=True, blank=True)
    capacity_per_session = models.PositiveSmallIntegerField(_("每期名額"), null=True, blank=True)
    venue = models.CharField(_("地點"), max_length=100, blank=True, default="")
    starts_on = models.DateField(_("起日"), null=True, blank=True)
    ends_on = models.DateField(_("迄日"), null=True, blank=True)

    class Meta:
        verbose_name = _("研習班別")
        verbose_name_plural = _("研習班別")
        ordering = ["activity", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "slug"], name="class_unique_per_activity")]

    def __str__(self):
        return self.name


class Session(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("班別"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("期別"))
    starts_on = models.DateField(_("起日"), null=True, blank=True)
    ends_on = models.DateField(_("迄日"), null=True, blank=True)
    venue = models.CharField(_("地點"), max_length=100, blank=True, default="")
    capacity = models.PositiveSmallIntegerField(_("名額"), null=True, blank=True)
    # Per-agency quotas for this session: {"<agency id>": n}; empty means none.
    agency_quotas = models.JSONField(_("機關名額"), default=dict, blank=True)

    class Meta:
        verbose_name = _("期別")
        verbose_name_plural = _("期別")
        ordering = ["training_class", "number"]
        constraints = [models.UniqueConstraint(fields=["training_class", "number"], name="session_unique_number")]

    def __str__(self):
        return f"{self.training_class.name} 第{self.number}期"


class Nomination(models.Model):
    class Status(models.TextChoices):
        NOMINATED = "nominated", _("已推薦")
        CONFIRMED = "confirmed", _("已錄取")
        REFUSED = "refused", _("不予錄取")
        WITHDRAWN = "withdrawn", _("已撤回")
        ATTENDED = "attended", _("已參訓")
        ABSENT = "absent", _("未到訓")

    session = models.ForeignKey(Session, verbose_name=_("期別"), on_delete=models.CASCADE, related_name="nominations")
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推薦者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(_("優先順位"), default=99)
    priority_label = models.CharField(_("優先身分"), max_length=50, blank=True, default="")
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.NOMINATED)
    reason = models.CharField(_("說明"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("推薦時間"), auto_now_add=True)
    decided_at = models.DateTimeField(_("決定時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("研習推薦")
        verbose_name_plural = _("研習推薦")
        ordering = ["session", "priority", "created_at"]
        constraints = [models.UniqueConstraint(fields=["session", "employee"], name="nomination_once_per_session")]


# A nomination's states, declared once (portal.statemachine). HR confirms or refuses places in
# priority order up to the capacity (programs.services.confirm_places) and records attendance,
# which may be corrected once recorded (attended ↔ absent).
N = Nomination.Status
NOMINATION_MACHINE = Machine(
    Nomination,
    _("研習推薦"),
    {
        "confirm": transition(
            {N.NOMINATED}, N.CONFIRMED, _("錄取"), who="HR", time_field="decided_at", action="confirmed"
        ),
        "refuse": transition(
            {N.NOMINATED}, N.REFUSED, _("不予錄取"), who="HR", time_field="decided_at", action="refused"
        ),
        "attend": transition(
            {N.NOMINATED, N.CONFIRMED, N.ABSENT}, N.ATTENDED, _("登錄為已參訓"), who="HR", action="attendance"
        ),
        "absent": transition(
            {N.NOMINATED, N.CONFIRMED, N.ATTENDED}, N.ABSENT, _("登錄為未到訓"), who="HR", action="attendance"
        ),
    },
)
del N


class ClassHistory(models.Model):
    """Classes a person attended, also before the portal existed: the prerequisite checks read this."""

    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="class_history"
    )
    class_slug = models.SlugField(_("班別代碼"), max_length=50)
    class_name = models.CharField(_("班別"), max_length=200)
    attended_on = models.DateField(_("參訓日期"), null=True, blank=True)
    session = models.ForeignKey(Session, verbose_name=_("期別"), null=True, blank=True, on_delete=models.SET_NULL)
    # RAD's prerequisites speak of 本中心歷年辦理之… classes (DOMAIN.md Decision): history is kept per
    # issuer and class, so a local government's 進階班 neither opens nor closes RAD's.
    issuer = models.ForeignKey(
        "portal.Agency",
        verbose_name=_("辦理機關"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("開班的計畫主辦機關（如地方行政研習中心、臺南市政府）；未填者視為各主辦機關皆可採認的舊紀錄。"),
    )

    class Meta:
        verbose_name = _("參訓紀錄")
        verbose_name_plural = _("參訓紀錄")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "issuer", "class_slug", "attended_on"], name="class_history_unique"
            )
        ]


class EmployeeTag(models.Model):
    """Roles that priority and eligibility depend on: 熠星 participant, e-learning officer, IT staff."""

    class Tag(models.TextChoices):
        YIXING_PARTICIPANT = "yixing_participant", _("熠星方案參與者")
        ELEARNING_OFFICER = "elearning_officer", _("數位學習承辦人")
        IT_STAFF = "it_staff", _("資訊人員")
        FORUM_MODERATOR = "forum_moderator", _("論壇版主")
        CLUB_PRESIDENT = "club_president", _("社群社長")

    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="tags"
    )
    tag = models.CharField(_("身分"), max_length=24, choices=Tag.choices)

    class Meta:
        verbose_name = _("人員身分")
        verbose_name_plural = _("人員身分")
        constraints = [models.UniqueConstraint(fields=["employee", "tag"], name="employee_tag_unique")]


class CampQuota(models.Model):
    """A government's places in the English camp: its quota, what it asked for extra, what it got."""

    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="quotas")
    government = models.ForeignKey("portal.Agency", verbose_name=_("政府"), on_delete=models.CASCADE, related_name="+")
    base = models.PositiveSmallIntegerField(_("基本名額"), default=50)
    requested_extra = models.PositiveSmallIntegerField(_("申請增額"), default=0)
    granted_extra = models.PositiveSmallIntegerField(_("核給增額"), default=0)

    class Meta:
        verbose_name = _("英語營名額")
        verbose_name_plural = _("英語營名額")
        constraints = [models.UniqueConstraint(fields=["activity", "government"], name="camp_quota_unique")]

    @property
    def total(self) -> int:
        return self.base + self.granted_extra


class EnglishLevel(models.TextChoices):
    """A nominee's English level as the coordinator states it (RAD 104: 中級以下 may take part)."""

    ELEMENTARY = "elementary", _("初級")
    INTERMEDIATE = "intermediate", _("中級")
    UPPER_INTERMEDIATE = "upper_intermediate", _("中高級")
    ADVANCED = "advanced", _("高級")


# The camp takes nominees of intermediate level or below (DOMAIN.md, English camp).
CAMP_LEVELS = (EnglishLevel.ELEMENTARY, EnglishLevel.INTERMEDIATE)


class CampNomination(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="camp_nominations"
    )
    level = models.CharField(_("英語程度"), max_length=20, choices=EnglishLevel.choices, blank=True, default="")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    government = models.ForeignKey("portal.Agency", verbose_name=_("政府"), on_delete=models.PROTECT, related_name="+")
    circle = models.CharField(_("英語圈"), max_length=50, blank=True, default="")
    is_circle_leader = models.BooleanField(_("圈長"), default=False)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推薦者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("推薦時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("英語營推薦")
        verbose_name_plural = _("英語營推薦")
        constraints = [models.UniqueConstraint(fields=["activity", "employee"], name="camp_nomination_once")]


# Hualien 附件1: the labels of the 熠星 proposal form.
# Labelled as Hualien's 附件1 (推動數位學習熠星方案實施計畫) names its boxes and items.
PROPOSAL_FIELDS = [
    ("contact", _("聯絡人")),
    ("contact_title", _("職稱")),
    ("phone", _("電話")),
    ("email", _("e-mail")),
    ("address", _("地址")),
    ("goals", _("目標")),
    ("topics", _("推動議題")),
    ("participants", _("參加對象")),
    ("strategy", _("實施作法：策略")),
    ("schedule", _("實施內容（含時程）")),
    ("materials", _("製作數位素材提升管理效能或服務品質")),
    ("forums", _("建立社群論壇強化知識社群運用能力")),
    ("kpis", _("關鍵績效指標（KPI）")),
    ("rewards", _("獎勵方式")),
    ("notes", _("其他補充說明")),
]
# The form's two parts: the boxes at its head, then 計畫內容 (its items in the form's order).
PROPOSAL_HEAD = ["agency", "contact", "contact_title", "phone", "email", "address", "title"]
PROPOSAL_CONTENT = ["goals", "topics", "participants", "strategy", "schedule", "materials", "forums", "kpis", "rewards"]


class Proposal(models.Model):
    """A 熠星 programme proposal (Hualien 附件1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送出")
        SELECTED = "selected", _("入選")
        NOT_SELECTED = "not_selected", _("未入選")
        RATED = "rated", _("已評等")

    class Rating(models.TextChoices):
        EXCELLENT = "特優", _("特優")
        VERY_GOOD = "優等", _("優等")
        GOOD = "良好", _("良好")

    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="proposals")
    # A coordinator of several agencies may save a draft before choosing the agency; sending
    # it requires one (issue 17: the agency is picked by hand only when there is a choice).
    agency = models.ForeignKey(
        "portal.Agency",
        verbose_name=_("機關"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("計畫名稱"), max_length=200)
    is_renewal = models.BooleanField(_("續辦"), default=False)
    fields = models.JSONField(_("申請表內容"), default=dict, blank=True)
    # DOMAIN.md Decision: a renewal (續辦) names the earlier selected proposal it continues.
    renews = models.ForeignKey(
        "self", verbose_name=_("續辦之原提案"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    leader = models.ForeignKey(
        "portal.Employee", verbose_name=_("主持人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField("portal.Employee", verbose_name=_("團隊成員"), blank=True, related_name="+")
    status = models.CharField(_("狀態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    rating = models.CharField(_("評等"), max_length=4, choices=Rating.choices, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填表人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    class Meta:
        verbose_name = _("熠星方案申請")
        verbose_name_plural = _("熠星方案申請")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(agency__isnull=False), name="proposal_agency_unless_draft"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def government(self):
        """The proposing government: the proposal's agency's (a 本府 team may span its agencies);
        None for a draft whose agency is not chosen yet."""
        return self.agency.root if self.agency_id else None


# The proposal's states, declared once: action -> (states it starts from, state it leads to, who).
# RAD 104 柒、三: 本中心辦理甄選作業（續約者無須參加甄選）; DOMAIN.md Decision: HR confirms a
# renewal before it counts as selected, and a coordinator never selects.
P = Proposal.Status
PROPOSAL_MACHINE = Machine(
    Proposal,
    _("熠星方案申請"),
    {
        "submit": transition({P.DRAFT}, P.SUBMITTED, _("送出"), who="coordinator_or_hr", action="proposal_submit"),
        "select": transition({P.SUBMITTED}, P.SELECTED, _("評選為入選"), who="reviewer", action="proposal_select"),
        "not_select": transition(
            {P.SUBMITTED}, P.NOT_SELECTED, _("評選為未入選"), who="reviewer", action="proposal_select"
        ),
        "confirm_renewal": transition(
            {P.SUBMITTED}, P.SELECTED, _("確認續辦"), who="reviewer", action="proposal_confirm_renewal"
        ),
        "rate": transition({P.SELECTED, P.RATED}, P.RATED, _("評等"), who="reviewer", action="proposal_rate"),
    },
)
del P
# The same table as action -> (sources, target, who).
PROPOSAL_TRANSITIONS = {
    name: (step.sources, step.target, step.who) for name, step in PROPOSAL_MACHINE.transitions.items()
}
# The proposals a team rating (and a renewal) may point at.
COUNTED_PROPOSAL_STATES = (Proposal.Status.SELECTED, Proposal.Status.RATED)


def validate_proposal_team(government, leader, members) -> None:
    """The proposal's team: a leader (主持人) not also a member, everyone of the proposing government.

    `government` is an Agency (the proposal's agency's root); `leader` an Employee or None;
    `members` an iterable of Employees (their `agency` loaded). Raises ValidationError with a
    dict {"leader": [...], "members": [...]} so that a form puts each message by its field.
    A missing leader is allowed here (a draft); submitting requires one.
    """
    errors: dict[str, list] = {}
    members = list(members)

    def outside(person) -> bool:
        return (person.agency.government_id or person.agency_id) != government.pk

    if leader is not None and outside(leader):
        errors.setdefault("leader", []).append(
            _("主持人「%(name)s」不是%(government)s的人員。") % {"name": leader.name, "government": government.name}
        )
    strangers = [m.name for m in members if outside(m)]
    if strangers:
        errors.setdefault("members", []).append(
            _("團隊成員須為%(government)s的人員：%(names)s")
            % {"government": government.name, "names": "、".join(strangers)}
        )
    if leader is not None and any(m.pk == leader.pk for m in members):
        errors.setdefault("members", []).append(_("主持人「%(name)s」不必再列為成員。") % {"name": leader.name})
    if errors:
        raise ValidationError(errors)


def validate_renewal(proposal, renews) -> None:
    """A renewal continues an earlier (an earlier year's plan) selected or rated proposal of the
    same government. Raises ValidationError({"renews": [...]})."""
    if renews is None:
        return
    if (
        renews.pk == proposal.pk
        or renews.status not in COUNTED_PROPOSAL_STATES
        or renews.agency.root.pk != proposal.agency.root.pk
        or renews.activity.plan.roc_year >= proposal.activity.plan.roc_year
    ):
        raise ValidationError({"renews": [_("續辦須接續本府歷年已入選（或已評等）的提案。")]})


class MentoringCandidate(models.Model):
    """Someone a coordinator puts forward for e-mentoring (電子師徒制), as a mentor or a mentee."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("師父")
        MENTEE = "mentee", _("徒弟")

    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="candidates")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("角色"), max_length=6, choices=Role.choices)
    note = models.CharField(_("專長或需求"), max_length=200, blank=True, default="")
    put_forward_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推薦者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("推薦時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("師徒制推薦")
        verbose_name_plural = _("師徒制推薦")
        constraints = [models.UniqueConstraint(fields=["activity", "employee", "role"], name="candidate_once")]


class MentoringPair(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey("portal.Employee", verbose_name=_("師父"), on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("portal.Employee", verbose_name=_("徒弟"), on_delete=models.CASCADE, related_name="+")
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("配對者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paired_at = models.DateTimeField(_("配對時間"), null=True, blank=True)

    class Meta:
        verbose_name = _("師徒配對")
        verbose_name_plural = _("師徒配對")
        constraints = [
            models.UniqueConstraint(fields=["activity", "mentor", "mentee"], name="pair_unique"),
            models.CheckConstraint(condition=~models.Q(mentor=models.F("mentee")), name="pair_not_self"),
        ]


# Line breaks a person does not count (DOMAIN.md Decision on 微心得): LF, CR (a browser sends
# CRLF), and Unicode's line and paragraph separators and NEL.
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85")
MICRO_REFLECTION_MAX = 300  # RAD 104 柒、五: 撰寫微心得，限300字以內
I_WRITING_MIN = 1000  # Tainan 101 伍、四、（四）: 撰寫1000字以上之閱讀心得（i writing）


def count_characters(text: str) -> int:
    """Characters as a person counts them (DOMAIN.md Decision): the text is NFC-normalised
    (so 「e」+ a combining accent is one character, as shown), then every code point counts
    one — full- or half-width, CJK or Latin, punctuation and spaces (U+0020 and the
    full-width U+3000) included — except line breaks (LINE_BREAKS), which count nothing.
    The page's counter (templates/programs/reflection_form.html) counts the same way.
    Emoji sequences joined by U+200D count each of their code points (a rare case, kept simple).
    """
    return sum(1 for ch in unicodedata.normalize("NFC", text or "") if ch not in LINE_BREAKS)


def reflection_length_problem(text: str, minimum: int | None = None, maximum: int | None = None) -> str:
    """The message (Traditional Chinese) when `text` is out of [minimum, maximum] characters
    as count_characters counts them, or "" when it fits. Both bounds are inclusive."""
    n = count_characters(text)
    if maximum is not None and n > maximum:
        return _("心得最多 %(max)s 字（目前 %(n)s 字）。") % {"max": f"{maximum:,}", "n": f"{n:,}"}
    if minimum is not None and n < minimum:
        return _("閱讀心得至少 %(min)s 字（目前 %(n)s 字）。") % {"min": f"{minimum:,}", "n": f"{n:,}"}
    return ""


def validate_reflection_length(text: str) -> None:
    """The 微心得 limit (MICRO_REFLECTION_MAX); kept for migration 0001, which names it."""
    problem = reflection_length_problem(text, maximum=MICRO_REFLECTION_MAX)
    if problem:
        raise ValidationError(problem)


class Reflection(models.Model):
    """A 微心得 (RAD 104 柒、五, at most 300 characters) or an i writing reading note (Tainan
    101 伍、四、（四）, at least 1,000): the activity's details carry `max_reflection_chars` or
    `min_reflection_chars`, and programs.services.write_reflection checks them."""

    class Kind(models.TextChoices):
        BOOK = "book", _("圖書")
        JOURNAL = "journal", _("期刊")
        FILM = "film", _("影片")
        EBOOK = "ebook", _("電子書")
        COURSE = "course", _("數位課程")
        TED = "ted", _("TED演講")

    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="reflections")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("學習類別"), max_length=8, choices=Kind.choices, blank=True, default="")
    item = models.CharField(_("學習項目"), max_length=200)
    text = models.TextField(_("心得"))
    characters = models.PositiveIntegerField(_("字數"), default=0)
    created_at = models.DateTimeField(_("填寫時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("微微學習心得")
        verbose_name_plural = _("微微學習心得")

    def __str__(self):
        return self.item


# Tainan 101 4: 每件作品至多 2 人 (CONTRACTS.md "Results": more than 2 authors rejects the file).
MAX_CREDITED_AUTHORS = 2


def validate_contest_authors(authors) -> None:
    """At most MAX_CREDITED_AUTHORS credited authors per work, on every path (import, service,
    admin). `authors` is a sized collection of Employees or ids; raises ValidationError."""
    if len(authors) > MAX_CREDITED_AUTHORS:
        raise ValidationError(_("每件作品至多 %(max)d 位作者。") % {"max": MAX_CREDITED_AUTHORS})


class ContestEntry(models.Model):
    class Review(models.TextChoices):
        PENDING = "", _("審查中")
        PASSED = "通過", _("通過")
        FAILED = "未通過", _("未通過")

    class Placing(models.TextChoices):
        NONE = "", _("無")
        FIRST = "1", _("第一名")
        SECOND = "2", _("第二名")
        THIRD = "3", _("第三名")
        HONOURABLE = "佳作", _("佳作")

    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="contest_entries")
    title = models.CharField(_("作品"), max_length=200)
    agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("機關"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authors = models.ManyToManyField("portal.Employee", verbose_name=_("作者"), related_name="contest_entries")
    agency_head = models.ForeignKey(
        "portal.Employee",
        verbose_name=_("機關首長"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review = models.CharField(_("審查"), max_length=4, choices=Review.choices, blank=True, default="")
    placing = models.CharField(_("名次"), max_length=4, choices=Placing.choices, blank=True, default="")

    class Meta:
        verbose_name = _("競賽作品")
        verbose_name_plural = _("競賽作品")
        constraints = [models.UniqueConstraint(fields=["plan", "title"], name="contest_entry_unique")]

    def __str__(self):
        return self.title


class CaseReport(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="case_reports")
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="case_reports"
    )
    title = models.CharField(_("題目"), max_length=200)
    submitted_on = models.DateField(_("繳交日期"))
    accepted = models.BooleanField(_("審查通過"), default=False)

    class Meta:
        verbose_name = _("案例報告")
        verbose_name_plural = _("案例報告")
        constraints = [models.UniqueConstraint(fields=["plan", "employee", "title"], name="case_report_unique")]


# The certificate names each plan accepts (CONTRACTS.md, "Results"): the import and the admin read this.
CERTIFICATES = {
    "tainan-101": ["英語初級", "英語中級"],
    "hualien-106": ["英語課程完課", "雲端視訊互動", "磨課師完課證明", "磨課師認證考試"],
}


def validate_certificate_name(plan, name: str) -> None:
    """A certificate's name must be one the plan accepts (when the plan lists them). Raises ValidationError."""
    names = CERTIFICATES.get(plan.slug, [])
    if names and name not in names:
        raise ValidationError(
            _("「%(value)s」不是可接受的值（%(names)s）") % {"value": name, "names": "、".join(names)}
        )


class Certificate(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="certificates")
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="certificates"
    )
    name = models.CharField(_("證書"), max_length=50)
    obtained_on = models.DateField(_("取得日期"))

    class Meta:
        verbose_name = _("證書")
        verbose_name_plural = _("證書")
        constraints = [models.UniqueConstraint(fields=["plan", "employee", "name"], name="certificate_unique")]


class Team(models.Model):
    """A 熠星 project team as rated at the end (import_results team-ratings)."""

    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("團隊"), max_length=200)
    rating = models.CharField(_("評等"), max_length=4, choices=Proposal.Rating.choices)
    # The proposal whose team this is: its rating rewards exactly the proposal's leader and members.
    proposal = models.OneToOneField(
        Proposal, verbose_name=_("熠星提案"), null=True, blank=True, on_delete=models.PROTECT, related_name="team"
    )

    class Meta:
        verbose_name = _("專案團隊")
        verbose_name_plural = _("專案團隊")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="team_unique")]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "主持人", _("主持人")
        MEMBER = "成員", _("成員")

    team = models.ForeignKey(Team, verbose_name=_("團隊"), on_delete=models.CASCADE, related_name="members")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("角色"), max_length=4, choices=Role.choices)

    class Meta:
        verbose_name = _("團隊成員")
        verbose_name_plural = _("團隊成員")
        constraints = [models.UniqueConstraint(fields=["team", "employee"], name="team_member_unique")]


def validate_team_roster(team_name: str, people: list[tuple[int, str]], proposal=None) -> list[tuple[int, str, str]]:
    """The rules a rated team's people obey, for the import and the admin alike.

    `people` is [(employee_id, role)] in the order given (file rows, admin inline rows);
    `proposal` the selected/rated proposal named like the team, if any (its leader and
    members loaded). Returns problems as [(index into people, column, message)], index -1
    when no single row is at fault; messages never carry a national ID.
    Rules: one leader (主持人) per team (Hualien 106 陸、二、（四）); a proposal's team is exactly
    the proposal's leader as 主持人 and its members as 成員 (DOMAIN.md: the rating of a
    selected proposal rewards exactly them).
    """
    problems = []
    leaders = [i for i, (_employee, role) in enumerate(people) if role == TeamMember.Role.LEADER]
    if len(leaders) > 1:
        problems.append((leaders[1], "角色", str(_("每個團隊只能有一位主持人"))))
    if proposal is None:
        return problems
    wanted = proposal_roles(proposal)
    seen = set()
    for i, (employee_id, role) in enumerate(people):
        seen.add(employee_id)
        if employee_id not in wanted:
            problems.append((i, "身分證字號", _("此人不在「%(title)s」提案的團隊名單中") % {"title": proposal.title}))
        elif wanted[employee_id] != role:
            problems.append(
                (
                    i,
                    "角色",
                    _("此人在「%(title)s」提案的團隊中擔任%(role)s")
                    % {"title": proposal.title, "role": wanted[employee_id]},
                )
            )
    missing = [employee_id for employee_id in wanted if employee_id not in seen]
    if missing:
        problems.append(
            (
                len(people) - 1 if people else -1,
                "身分證字號",
                _("「%(title)s」提案的團隊尚有 %(n)d 人未列入（團隊須與提案名單相同）")
                % {"title": proposal.title, "n": len(missing)},
            )
        )
    return problems


def proposal_roles(proposal) -> dict[int, str]:
    """{employee_id: role} of a proposal's team: its leader as 主持人, its members as 成員."""
    roles = {m.pk: TeamMember.Role.MEMBER for m in proposal.members.all() if m.pk != proposal.leader_id}
    if proposal.leader_id:
        roles[proposal.leader_id] = TeamMember.Role.LEADER
    return roles


# -- The digital-talent registry, the showcase, the reading bid (issue 19) ----------------


class SeedTeacher(models.Model):
    """A seed teacher (種籽教師) on a plan's digital-talent registry (數位人才資料庫, Tainan 101
    伍、一、（三）): chosen by HR with a reason. Not counted into the KPI of talents trained
    (捌、一、（三）, 人次 of the material classes; DOMAIN.md), shown beside it."""

    class Source(models.TextChoices):
        CONTEST = "contest", _("數位教材競賽得獎")
        CLASS = "class", _("種籽班／進階班結訓")
        NAMED = "named", _("人事處遴選")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="seed_teachers"
    )
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("遴選來源"), max_length=8, choices=Source.choices)
    basis = models.CharField(
        _("依據"), max_length=300, blank=True, default="", help_text=_("得獎作品或結訓班別（由系統依資料帶入）")
    )
    reason = models.CharField(_("遴選理由"), max_length=300)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("遴選者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected_at = models.DateTimeField(_("遴選時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("種籽教師")
        verbose_name_plural = _("數位人才資料庫")
        constraints = [models.UniqueConstraint(fields=["activity", "employee"], name="seed_teacher_once")]

    def __str__(self):
        return f"{self.employee_id}@{self.activity_id}"


class ShowcaseRegistration(models.Model):
    """One person registered by their coordinator for a showcase (成果發表會, RAD 104 柒、六):
    capacity in the activity's details (`capacity`, else `expected_participants`)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="showcase_registrations"
    )
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("報名者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("報名時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("成果發表會報名")
        verbose_name_plural = _("成果發表會報名")
        constraints = [models.UniqueConstraint(fields=["activity", "employee"], name="showcase_registration_once")]


class ReadingBid(models.Model):
    """An agency's activity plan for Kaohsiung's reading bid (數位閱讀計畫競標, 103 陸、五):
    sent within the application window, reviewed, scored and selected (or not) by HR."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送出")
        SELECTED = "selected", _("入選")
        NOT_SELECTED = "not_selected", _("未入選")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="reading_bids"
    )
    agency = models.ForeignKey("portal.Agency", verbose_name=_("機關"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活動計畫名稱"), max_length=200)
    activities = models.TextField(_("活動內容"), blank=True, default="")
    materials = models.TextField(_("閱讀之數位課程或電子書"), blank=True, default="")
    forum = models.CharField(_("成立之社群論壇"), max_length=200, blank=True, default="")
    starts_on = models.DateField(_("活動起日"), null=True, blank=True)
    ends_on = models.DateField(_("活動迄日"), null=True, blank=True)
    status = models.CharField(_("狀態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    score = models.DecimalField(_("評分"), max_digits=5, decimal_places=1, null=True, blank=True)
    review_note = models.CharField(_("評選意見"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填表人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("送出時間"), null=True, blank=True)
    decided_at = models.DateTimeField(_("評選時間"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    class Meta:
        verbose_name = _("數位閱讀計畫競標")
        verbose_name_plural = _("數位閱讀計畫競標")

    def __str__(self):
        return self.title


# The bid's states, declared once: action -> (states it starts from, state it leads to, who).
READING_BID_TRANSITIONS = {
    "submit": ({ReadingBid.Status.DRAFT}, ReadingBid.Status.SUBMITTED, "coordinator"),
    "select": ({ReadingBid.Status.SUBMITTED}, ReadingBid.Status.SELECTED, "reviewer"),
    "not_select": ({ReadingBid.Status.SUBMITTED}, ReadingBid.Status.NOT_SELECTED, "reviewer"),
}
