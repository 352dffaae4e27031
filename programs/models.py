"""Annual plans (年度計畫), their activities, classes and the agency work around them."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OffDutyDefinition(models.TextChoices):
    """How a plan defines off-duty time (公餘時段); see courses.offduty."""

    WHOLE_DAYS = "whole_days", _("僅限整日休假（臺南市）")
    OUTSIDE_OFFICE_HOURS = "outside_office_hours", _("辦公時間以外（高雄市）")


class Plan(models.Model):
    slug = models.SlugField(_("代碼"), max_length=50, unique=True)
    issuer = models.ForeignKey("portal.Agency", verbose_name=_("發布機關"), on_delete=models.PROTECT,
                               related_name="plans")
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
    employment_types = models.JSONField(_("適用人員類別"), default=list, blank=True,
                                        help_text=_("空白表示所有人員類別"))
    excluded_agencies = models.ManyToManyField("portal.Agency", verbose_name=_("排除機關"), blank=True,
                                               related_name="+")
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
    training_class = models.ForeignKey(TrainingClass, verbose_name=_("班別"), on_delete=models.CASCADE,
                                       related_name="sessions")
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
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE,
                                 related_name="nominations")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推薦者"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
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


class ClassHistory(models.Model):
    """Classes a person attended, also before the portal existed: the prerequisite checks read this."""

    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE,
                                 related_name="class_history")
    class_slug = models.SlugField(_("班別代碼"), max_length=50)
    class_name = models.CharField(_("班別"), max_length=200)
    attended_on = models.DateField(_("參訓日期"), null=True, blank=True)
    session = models.ForeignKey(Session, verbose_name=_("期別"), null=True, blank=True, on_delete=models.SET_NULL)
    # RAD's prerequisites speak of 本中心歷年辦理之… classes (DOMAIN.md Decision): history is kept per
    # issuer and class, so a local government's 進階班 neither opens nor closes RAD's.
    issuer = models.ForeignKey("portal.Agency", verbose_name=_("辦理機關"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("開班的計畫主辦機關（如地方行政研習中心、臺南市政府）；未填者視為各主辦機關皆可採認的舊紀錄。"))

    class Meta:
        verbose_name = _("參訓紀錄")
        verbose_name_plural = _("參訓紀錄")
        constraints = [models.UniqueConstraint(fields=["employee", "issuer", "class_slug", "attended_on"],
                                               name="class_history_unique")]


class EmployeeTag(models.Model):
    """Roles that priority and eligibility depend on: 熠星 participant, e-learning officer, IT staff."""

    class Tag(models.TextChoices):
        YIXING_PARTICIPANT = "yixing_participant", _("熠星方案參與者")
        ELEARNING_OFFICER = "elearning_officer", _("數位學習承辦人")
        IT_STAFF = "it_staff", _("資訊人員")
        FORUM_MODERATOR = "forum_moderator", _("論壇版主")
        CLUB_PRESIDENT = "club_president", _("社群社長")

    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="tags")
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


class CampNomination(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="camp_nominations")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    government = models.ForeignKey("portal.Agency", verbose_name=_("政府"), on_delete=models.PROTECT, related_name="+")
    circle = models.CharField(_("英語圈"), max_length=50, blank=True, default="")
    is_circle_leader = models.BooleanField(_("圈長"), default=False)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推薦者"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("推薦時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("英語營推薦")
        verbose_name_plural = _("英語營推薦")
        constraints = [models.UniqueConstraint(fields=["activity", "employee"], name="camp_nomination_once")]


# Hualien 附件1: the labels of the 熠星 proposal form.
# Labelled as Hualien's 附件1 (推動數位學習熠星方案實施計畫) names its boxes and items.
PROPOSAL_FIELDS = [
    ("contact", _("聯絡人")), ("contact_title", _("職稱")), ("phone", _("電話")), ("email", _("e-mail")),
    ("address", _("地址")), ("goals", _("目標")), ("topics", _("推動議題")), ("participants", _("參加對象")),
    ("strategy", _("實施作法：策略")), ("schedule", _("實施內容（含時程）")),
    ("materials", _("製作數位素材提升管理效能或服務品質")), ("forums", _("建立社群論壇強化知識社群運用能力")),
    ("kpis", _("關鍵績效指標（KPI）")), ("rewards", _("獎勵方式")), ("notes", _("其他補充說明")),
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
    agency = models.ForeignKey("portal.Agency", verbose_name=_("機關"), on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("計畫名稱"), max_length=200)
    is_renewal = models.BooleanField(_("續辦"), default=False)
    fields = models.JSONField(_("申請表內容"), default=dict, blank=True)
    # DOMAIN.md Decision: a renewal (續辦) names the earlier selected proposal it continues.
    renews = models.ForeignKey("self", verbose_name=_("續辦之原提案"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="renewals")
    leader = models.ForeignKey("portal.Employee", verbose_name=_("主持人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField("portal.Employee", verbose_name=_("團隊成員"), blank=True, related_name="+")
    status = models.CharField(_("狀態"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    rating = models.CharField(_("評等"), max_length=4, choices=Rating.choices, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填表人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    class Meta:
        verbose_name = _("熠星方案申請")
        verbose_name_plural = _("熠星方案申請")

    def __str__(self):
        return self.title

    @property
    def government(self):
        """The proposing government: the proposal's agency's (a 本府 team may span its agencies)."""
        return self.agency.root


# The proposal's states, declared once: action -> (states it starts from, state it leads to, who).
# RAD 104 柒、三: 本中心辦理甄選作業（續約者無須參加甄選）; DOMAIN.md Decision: HR confirms a
# renewal before it counts as selected, and a coordinator never selects.
PROPOSAL_TRANSITIONS = {
    "submit": ({Proposal.Status.DRAFT}, Proposal.Status.SUBMITTED, "coordinator_or_hr"),
    "select": ({Proposal.Status.SUBMITTED}, Proposal.Status.SELECTED, "reviewer"),
    "not_select": ({Proposal.Status.SUBMITTED}, Proposal.Status.NOT_SELECTED, "reviewer"),
    "confirm_renewal": ({Proposal.Status.SUBMITTED}, Proposal.Status.SELECTED, "reviewer"),
    "rate": ({Proposal.Status.SELECTED, Proposal.Status.RATED}, Proposal.Status.RATED, "reviewer"),
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
            _("主持人「%(name)s」不是%(government)s的人員。") % {"name": leader.name, "government": government.name})
    strangers = [m.name for m in members if outside(m)]
    if strangers:
        errors.setdefault("members", []).append(
            _("團隊成員須為%(government)s的人員：%(names)s") % {"government": government.name, "names": "、".join(strangers)})
    if leader is not None and any(m.pk == leader.pk for m in members):
        errors.setdefault("members", []).append(_("主持人「%(name)s」不必再列為成員。") % {"name": leader.name})
    if errors:
        raise ValidationError(errors)


def validate_renewal(proposal, renews) -> None:
    """A renewal continues an earlier (an earlier year's plan) selected or rated proposal of the
    same government. Raises ValidationError({"renews": [...]})."""
    if renews is None:
        return
    if renews.pk == proposal.pk or renews.status not in COUNTED_PROPOSAL_STATES \
            or renews.agency.root.pk != proposal.agency.root.pk \
            or renews.activity.plan.roc_year >= proposal.activity.plan.roc_year:
        raise ValidationError({"renews": [_("續辦須接續本府歷年已入選（或已評等）的提案。")]})


class MentoringPair(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey("portal.Employee", verbose_name=_("師父"), on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("portal.Employee", verbose_name=_("徒弟"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("師徒配對")
        verbose_name_plural = _("師徒配對")
        constraints = [
            models.UniqueConstraint(fields=["activity", "mentor", "mentee"], name="pair_unique"),
            models.CheckConstraint(condition=~models.Q(mentor=models.F("mentee")), name="pair_not_self"),
        ]


def count_characters(text: str) -> int:
    """Characters as a person counts them: every character except whitespace."""
    return sum(1 for ch in text if not ch.isspace())


def validate_reflection_length(text: str) -> None:
    if count_characters(text) > 300:
        raise ValidationError(_("心得最多 300 字（目前 %(n)d 字）。"), params={"n": count_characters(text)})


class Reflection(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活動"), on_delete=models.CASCADE, related_name="reflections")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="+")
    item = models.CharField(_("學習項目"), max_length=200)
    text = models.TextField(_("心得"), validators=[validate_reflection_length])
    created_at = models.DateTimeField(_("填寫時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("微微學習心得")
        verbose_name_plural = _("微微學習心得")


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
    agency = models.ForeignKey("portal.Agency", verbose_name=_("機關"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    authors = models.ManyToManyField("portal.Employee", verbose_name=_("作者"), related_name="contest_entries")
    agency_head = models.ForeignKey("portal.Employee", verbose_name=_("機關首長"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
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
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="case_reports")
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
        raise ValidationError(_("「%(value)s」不是可接受的值（%(names)s）") % {"value": name, "names": "、".join(names)})


class Certificate(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="certificates")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.CASCADE, related_name="certificates")
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
    proposal = models.OneToOneField(Proposal, verbose_name=_("熠星提案"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="team")

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
            problems.append((i, "角色", _("此人在「%(title)s」提案的團隊中擔任%(role)s")
                             % {"title": proposal.title, "role": wanted[employee_id]}))
    missing = [employee_id for employee_id in wanted if employee_id not in seen]
    if missing:
        problems.append((len(people) - 1 if people else -1, "身分證字號",
                         _("「%(title)s」提案的團隊尚有 %(n)d 人未列入（團隊須與提案名單相同）") % {"title": proposal.title, "n": len(missing)}))
    return problems


def proposal_roles(proposal) -> dict[int, str]:
    """{employee_id: role} of a proposal's team: its leader as 主持人, its members as 成員."""
    roles = {m.pk: TeamMember.Role.MEMBER for m in proposal.members.all() if m.pk != proposal.leader_id}
    if proposal.leader_id:
        roles[proposal.leader_id] = TeamMember.Role.LEADER
    return roles
