from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PROPOSAL_FIELDS, Proposal

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
