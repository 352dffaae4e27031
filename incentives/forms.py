"""HR's forms at the decision desk."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Employee

from .facts import covered_employees
from .models import Award


def discretionary_rules(plan) -> list[dict]:
    """The plan's rules HR decides by hand (kind `discretionary`, e.g. Tainan 柒、一、（一） moderators)."""
    return [r for r in plan.parameters.get("rules", []) if r.get("kind") == "discretionary"]


class GrantForm(forms.Form):
    """HR grants an award under a discretionary rule, within its cap (`services.override(grant=True)`)."""

    employee = forms.ModelChoiceField(label=_("人員"), queryset=Employee.objects.none())
    rule_code = forms.ChoiceField(label=_("獎勵項目"))
    award = forms.ChoiceField(label=_("獎勵"), choices=Award.choices)
    count = forms.IntegerField(label=_("次數"), min_value=1, max_value=9, initial=1)
    reason = forms.CharField(label=_("事由"), max_length=500)

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = (
            (covered_employees(plan) & Employee.objects.visible_to(user))
            .select_related("agency")
            .order_by("agency__name", "name")
        )
        self.fields["employee"].label_from_instance = lambda e: f"{e.agency.name} {e.name}"
        self.fields["rule_code"].choices = [
            (r["code"], f"{r.get('clause', '')} {r.get('text', r['code'])[:40]}".strip())
            for r in discretionary_rules(plan)
        ]
