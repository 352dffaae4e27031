"""Award decisions and the rule versions they were made with."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.statemachine import Machine, transition


class RuleVersion(models.Model):
    """A frozen copy of a plan's rules; decisions point at the version they used."""

    plan = models.ForeignKey(
        "programs.Plan", verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="rule_versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    rules = models.JSONField(_("規則參數"))
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)

    class Meta:
        verbose_name = _("規則版本")
        verbose_name_plural = _("規則版本")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="rule_version_unique")]

    def __str__(self):
        return f"{self.plan.slug} v{self.number}"


class Award(models.TextChoices):
    COMMENDATION = "commendation", _("嘉獎")
    MERIT = "merit", _("記功")
    MAJOR_MERIT = "major_merit", _("記大功")


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whose decisions a person may see (DOMAIN.md, "People and roles").

        HR serving every government: all. HR serving one government (`user.agencies` set): the
        decisions of plans that government issued, and those of its own staff under any plan (a
        central plan, coverage scope "all"). A coordinator: their agencies' staff. Others: their own.
        """
        from portal.models import Agency, Employee
        from portal.permissions import is_hr
        from portal.queries import serves_every_government

        if is_hr(user) and not serves_every_government(user):
            governments = {
                government or pk
                for pk, government in Agency.objects.visible_to(user).values_list("pk", "government_id")
            }
            return self.filter(
                models.Q(plan__issuer__in=governments) | models.Q(employee__in=Employee.objects.visible_to(user))
            )
        if is_hr(user):
            return self.all()
        return self.filter(employee__in=Employee.objects.visible_to(user))


class Decision(models.Model):
    class Status(models.TextChoices):
        ELIGIBLE = "eligible", _("符合資格")
        REQUESTED = "requested", _("機關已提報")
        APPROVED = "approved", _("人事單位核定")
        ISSUED = "issued", _("已發布獎懲令")
        REJECTED = "rejected", _("不予核定")
        WITHHELD = "withheld", _("人事單位保留")

    plan = models.ForeignKey(
        "programs.Plan", verbose_name=_("年度計畫"), on_delete=models.PROTECT, related_name="decisions"
    )
    employee = models.ForeignKey(
        "portal.Employee", verbose_name=_("人員"), on_delete=models.PROTECT, related_name="decisions"
    )
    rule_code = models.CharField(_("規則"), max_length=50)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name=_("規則版本"), on_delete=models.PROTECT, related_name="decisions"
    )
    award = models.CharField(_("獎勵"), max_length=16, choices=Award.choices)
    count = models.PositiveSmallIntegerField(_("次數"))
    reason = models.TextField(_("事由"))
    facts = models.JSONField(_("依據事實"), default=dict, blank=True)
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.ELIGIBLE)
    override_reason = models.TextField(_("人事單位調整理由"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提報者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("提報時間"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核定者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核定時間"), null=True, blank=True)
    order_number = models.CharField(_("獎懲令文號"), max_length=60, blank=True, default="")
    order_date = models.DateField(_("獎懲令日期"), null=True, blank=True)
    rejection_reason = models.TextField(_("不予核定理由"), blank=True, default="")
    # HR sends a request back to the coordinator (requested → eligible); the coordinator reads why and files again.
    return_reason = models.TextField(_("退回理由"), blank=True, default="")
    # DOMAIN.md Decision (Tainan 柒、一、（二）): after a rule's filing deadline only HR may accept a request, with a reason.
    late_reason = models.TextField(_("逾期受理理由"), blank=True, default="")
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("獎勵案")
        verbose_name_plural = _("獎勵案")
        ordering = ["plan", "employee__agency__name", "employee__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "employee", "rule_code"], name="decision_once_per_rule")]

    def __str__(self):
        return f"{self.employee.name} {self.get_award_display()} {self.count} 次"


# The decision workflow, declared once (STYLE.md "State machines"): step → (statuses it may start
# from, status it leads to, its name in messages). Every step is HR's except "request".
# The decision's states, declared once (portal.statemachine): name -> sources, target, verb, who,
# what it writes. The coordinator (or HR) requests for staff they serve; every other step is HR's,
# within the officer's government (Decision.objects.visible_to).
S = Decision.Status
DECISION_MACHINE = Machine(
    Decision,
    _("獎勵案"),
    {
        "request": transition(
            {S.ELIGIBLE},
            S.REQUESTED,
            _("提報"),
            who="coordinator or HR serving the employee",
            actor_field="requested_by",
            time_field="requested_at",
            action="decision_requested",
        ),
        "approve": transition(
            {S.REQUESTED},
            S.APPROVED,
            _("核定"),
            who="HR",
            actor_field="decided_by",
            time_field="decided_at",
            action="decision_approved",
        ),
        "return": transition(
            {S.REQUESTED}, S.ELIGIBLE, _("退回機關"), who="HR, with a reason", action="decision_returned"
        ),
        "reject": transition(
            {S.ELIGIBLE, S.REQUESTED, S.APPROVED},
            S.REJECTED,
            _("不予核定"),
            who="HR, with a reason",
            actor_field="decided_by",
            time_field="decided_at",
            action="decision_rejected",
        ),
        "withhold": transition(
            {S.ELIGIBLE, S.REQUESTED, S.APPROVED, S.REJECTED, S.WITHHELD},
            S.WITHHELD,
            _("保留"),
            who="HR, with a reason",
            action="decision_override",
        ),
        "issue": transition(
            {S.APPROVED},
            S.ISSUED,
            _("發布獎懲令"),
            who="HR, with the order's number and date",
            action="decision_issued",
        ),
        # HR's own grant (a discretionary rule, or a withheld/rejected award given after all): never an issued one.
        "grant": transition(
            {S.ELIGIBLE, S.REQUESTED, S.APPROVED, S.REJECTED, S.WITHHELD},
            S.ELIGIBLE,
            _("核給"),
            who="HR, with a reason, within the rule's max",
            action="decision_override",
        ),
    },
)
# The same table as (sources, target, verb), for the batch checks.
TRANSITIONS = {name: (step.sources, step.target, step.label) for name, step in DECISION_MACHINE.transitions.items()}
del S


class Draw(models.Model):
    """One season's draw of a plan's promotion (Kaohsiung 103 四季悅讀): its published seed, then its result.

    HR publishes the seed before the draw; the draw fixes the list of chances by its hash and
    keeps the winners' lines, so anyone holding the seed and the list can recompute them
    (incentives.draws, README "Seasonal draws").
    """

    class Status(models.TextChoices):
        SEED_PUBLISHED = "seed_published", _("已公布種子")
        DRAWN = "drawn", _("已抽出")

    plan = models.ForeignKey(
        "programs.Plan", verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="draws"
    )
    rule_code = models.CharField(_("規則代碼"), max_length=50)
    season = models.CharField(_("季別代碼"), max_length=30)
    season_name = models.CharField(_("季別"), max_length=30)
    status = models.CharField(_("狀態"), max_length=20, choices=Status.choices, default=Status.SEED_PUBLISHED)
    seed = models.CharField(_("抽獎種子"), max_length=200)
    seed_published_at = models.DateTimeField(_("種子公布時間"))
    seed_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("種子公布者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prizes = models.PositiveIntegerField(_("獎品份數"), default=0)
    one_win_per_person = models.BooleanField(_("每人限中一次"), default=True)
    chances = models.JSONField(_("抽獎機會清單"), default=list, blank=True)
    chances_hash = models.CharField(_("清單雜湊值（SHA-256）"), max_length=64, blank=True, default="")
    winners = models.JSONField(_("中獎清單"), default=list, blank=True)
    winner_ids = models.JSONField(_("中獎人員"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("抽獎時間"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽獎者"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("季抽獎")
        verbose_name_plural = _("季抽獎")
        constraints = [models.UniqueConstraint(fields=["plan", "rule_code", "season"], name="draw_once_per_season")]

    def __str__(self):
        return f"{self.plan.slug} {self.season_name}"


class StoredStanding(models.Model):
    """A person's standing under one rule of a plan, as the last refresh evaluated it (issue 20).

    The staff page filters ("rule met or nearly met") and sorts (awards, leave, closeness to the
    next award) in SQL on these rows, then evaluates only the page it shows. One row per (plan,
    employee, rule) the person has an award or progress under, and one with `rule_code` "" for
    the person's whole standing under the plan (every covered person has that one). Written only
    by `incentives.refresh.refresh_standings`, after imports, rule changes, on request and nightly.
    """

    plan = models.ForeignKey("programs.Plan", on_delete=models.CASCADE, related_name="+")
    # Reverse name for the staff page's joins (incentives.queries.standing_queryset).
    employee = models.ForeignKey("portal.Employee", on_delete=models.CASCADE, related_name="stored_standings")
    rule_code = models.CharField(max_length=60, blank=True, default="")
    met = models.BooleanField(default=False)  # an award under the rule ("": any award)
    near = models.BooleanField(default=False)  # not met, and at least NEARLY_MET of the way
    ratio = models.FloatField(default=0)  # the highest unmet progress ratio, 0..1
    awards = models.PositiveIntegerField(default=0)  # how many awards (reasons) the rule gives
    weight = models.PositiveIntegerField(default=0)  # their weight (incentives.rules.AWARD_WEIGHT)
    leave_hours = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    # On the whole standing (""): the person's place among the plan's people in the staff page's
    # tie order (agency name, unit name, name, ID), numbered by the refresh; the awards sort reads
    # it while the plan's counts are current (no one renamed or moved since).
    place = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "employee", "rule_code"], name="stored_standing_once"),
        ]
        indexes = [
            models.Index(fields=["plan", "rule_code", "met", "near"], name="stored_standing_filter"),
            # The staff page's sort by awards (issue 20) in the page's order: weight, then `place`,
            # so the first page of 50,000 people is read in order instead of sorting them all.
            models.Index(fields=["plan", "rule_code", "-weight", "place"], name="stored_standing_by_awards"),
        ]


class StandingCount(models.Model):
    """How many people of one agency and unit hold one kind of stored standing under a plan (issue
    20): the staff page's counts (the pager's total and 「待提報」) read these few rows instead of
    counting tens of thousands of joined rows.

    One row per (plan, agency, unit, rule_code, met, near, awarded) that has people, where
    `awarded` is whether the person's whole standing (rule_code "") has an award. Written by
    `incentives.refresh.refresh_standings` in the transaction that ends a refresh, from the
    stored standings of the people the plan covers then; read only while
    `StandingRefresh.counts_current` (no change since), otherwise the page counts live.
    """

    plan = models.ForeignKey("programs.Plan", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("portal.Agency", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("portal.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rule_code = models.CharField(max_length=60, blank=True, default="")
    met = models.BooleanField(default=False)
    near = models.BooleanField(default=False)
    awarded = models.BooleanField(default=False)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["plan", "rule_code"], name="standing_count_plan")]


class StandingRefresh(models.Model):
    """When a plan's stored standings were last refreshed, and as of which day (shown on the page)."""

    plan = models.OneToOneField("programs.Plan", on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0)
    # Bumped by every change that may alter a standing (an import, a rule change); a refresh
    # records the count it started from, so a change made while it ran leaves the plan stale.
    changes = models.PositiveIntegerField(default=1)
    refreshed_changes = models.PositiveIntegerField(default=0)
    # Bumped by every save or deletion that may move a person in or out of a plan's counts (an
    # employee, an agency, a unit, a plan's coverage, any import: incentives.refresh.coverage_changed).
    moves = models.PositiveIntegerField(default=0)
    # The `changes` and `moves` the StandingCount rows were taken at (counted_changes 0: none, or a
    # refresh is rewriting them), so the counts are read only while both still hold.
    counted_changes = models.PositiveIntegerField(default=0)
    counted_moves = models.PositiveIntegerField(default=0)

    @property
    def stale(self) -> bool:
        return self.refreshed_changes != self.changes

    @property
    def counts_current(self) -> bool:
        """Whether the plan's StandingCount rows still count exactly what the page lists."""
        return self.counted_changes == self.changes and self.counted_moves == self.moves
