"""The roles of a portal account. Code asks `Role.HR`, never the string "hr"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HR = "hr", _("人事人員")
    COORDINATOR = "coordinator", _("機關承辦人")
    SUPERVISOR = "supervisor", _("單位主管")
    EMPLOYEE = "employee", _("公務人員")
