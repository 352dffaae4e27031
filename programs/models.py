"""Annual plans (年度計畫). The activities, classes and nominations build on Plan."""
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
    starts_on = models.DateField(_("計畫起日"), null=True, blank=True)
    ends_on = models.DateField(_("計畫迄日"), null=True, blank=True)
    off_duty_definition = models.CharField(
        _("公餘時段定義"), max_length=24, choices=OffDutyDefinition.choices, blank=True, default=""
    )
    # Rule parameters as data (thresholds, windows, deadlines, caps), each citing its clause.
    parameters = models.JSONField(_("規則參數"), default=dict, blank=True)

    class Meta:
        verbose_name = _("年度計畫")
        verbose_name_plural = _("年度計畫")
        ordering = ["-roc_year", "slug"]

    def __str__(self):
        return f"{self.roc_year}年 {self.title}"
