from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Proposal

# Hualien 附件1: the labels of the 熠星 proposal form.
PROPOSAL_FIELDS = [
    ("contact", _("聯絡人")), ("contact_title", _("職稱")), ("phone", _("電話")), ("email", _("電子郵件")),
    ("address", _("地址")), ("goals", _("計畫目標")), ("topics", _("推動主題")), ("participants", _("參與對象")),
    ("strategy", _("執行策略")), ("schedule", _("預定進度")), ("materials", _("數位素材規劃")),
    ("forums", _("社群與論壇")), ("kpis", _("預期效益（績效指標）")), ("rewards", _("獎勵方式")), ("notes", _("備註")),
]
LONG = {"goals", "topics", "strategy", "schedule", "materials", "forums", "kpis", "rewards", "notes", "participants"}


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title", "is_renewal"]

    def __init__(self, *args, agency_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in PROPOSAL_FIELDS:
            widget = forms.Textarea(attrs={"rows": 3}) if key in LONG else forms.TextInput()
            self.fields[key] = forms.CharField(label=label, required=False, widget=widget,
                                               initial=self.instance.fields.get(key, ""))
        if agency_choices is not None:
            self.fields["agency"] = forms.ModelChoiceField(agency_choices, label=_("機關"),
                                                           initial=self.instance.agency_id if self.instance.pk else None)

    def save(self, commit=True):
        proposal = super().save(commit=False)
        proposal.fields = {key: self.cleaned_data.get(key, "") for key, _label in PROPOSAL_FIELDS}
        if "agency" in self.cleaned_data:
            proposal.agency = self.cleaned_data["agency"]
        return proposal
