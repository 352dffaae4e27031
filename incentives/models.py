"""Award decisions and the rule versions they were made with."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.statemachine import Machine, transition


class RuleVersion(models.Model):
    """A frozen copy of a plan's rules; decisions point at the version they used."""

    plan = models.ForeignKey("programs.Plan", verbose_name=_("年度計畫"), on_delete=models.CASCADE, related_name="rule_versions")
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
            governments = {government or pk for pk, government in
                           Agency.objects.visible_to(user).values_list("pk", "government_id")}
            return self.filter(models.Q(plan__issuer__in=governments)
                               | models.Q(employee__in=Employee.objects.visible_to(user)))
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

    plan = models.ForeignKey("programs.Plan", verbose_name=_("年度計畫"), on_delete=models.PROTECT, related_name="decisions")
    employee = models.ForeignKey("portal.Employee", verbose_name=_("人員"), on_delete=models.PROTECT, related_name="decisions")
    rule_code = models.CharField(_("規則"), max_length=50)
    rule_version = models.ForeignKey(RuleVersion, verbose_name=_("規則版本"), on_delete=models.PROTECT, related_name="decisions")
    award = models.CharField(_("獎勵"), max_length=16, choices=Award.choices)
    count = models.PositiveSmallIntegerField(_("次數"))
    reason = models.TextField(_("事由"))
    facts = models.JSONField(_("依據事實"), default=dict, blank=True)
    status = models.CharField(_("狀態"), max_length=10, choices=Status.choices, default=Status.ELIGIBLE)
    override_reason = models.TextField(_("人事單位調整理由"), blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提報者"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("提報時間"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核定者"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
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
DECISION_MACHINE = Machine(Decision, _("獎勵案"), {
    "request": transition({S.ELIGIBLE}, S.REQUESTED, _("提報"), who="coordinator or HR serving the employee",
                          actor_field="requested_by", time_field="requested_at", action="decision_requested"),
    "approve": transition({S.REQUESTED}, S.APPROVED, _("核定"), who="HR",
                          actor_field="decided_by", time_field="decided_at", action="decision_approved"),
    "return": transition({S.REQUESTED}, S.ELIGIBLE, _("退回機關"), who="HR, with a reason", action="decision_returned"),
    "reject": transition({S.ELIGIBLE, S.REQUESTED, S.APPROVED}, S.REJECTED, _("不予核定"), who="HR, with a reason",
                         actor_field="decided_by", time_field="decided_at", action="decision_rejected"),
    "withhold": transition({S.ELIGIBLE, S.REQUESTED, S.APPROVED, S.REJECTED, S.WITHHELD}, S.WITHHELD, _("保留"),
                           who="HR, with a reason", action="decision_override"),
    "issue": transition({S.APPROVED}, S.ISSUED, _("發布獎懲令"), who="HR, with the order's number and date",
                        action="decision_issued"),
    # HR's own grant (a discretionary rule, or a withheld/rejected award given after all): never an issued one.
    "grant": transition({S.ELIGIBLE, S.REQUESTED, S.APPROVED, S.REJECTED, S.WITHHELD}, S.ELIGIBLE, _("核給"),
                        who="HR, with a reason, within the rule's max", action="decision_override"),
})
# The same table as (sources, target, verb), for the batch checks.
TRANSITIONS = {name: (step.sources, step.target, step.label) for name, step in DECISION_MACHINE.transitions.items()}
del S
