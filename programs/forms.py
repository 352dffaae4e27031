from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import PROPOSAL_FIELDS, Proposal, validate_proposal_team, validate_renewal

LONG = {"goals", "topics", "strategy", "schedule", "materials", "forums", "kpis", "rewards", "notes", "participants"}


class StaffChoice:
    """An employee as the picker shows them: name, agency, unit (never the national ID)."""

    @staticmethod
    def label(employee) -> str:
        unit = employee.unit.name if employee.unit_id else "—"
        return f"{employee.name}｜{employee.agency.name}｜{unit}"


NOT_PICKABLE = _("所選人員不在可選名單中（只能選擇您負責機關的本府人員）。")


class StaffField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": NOT_PICKABLE}

    def label_from_instance(self, obj):
        return StaffChoice.label(obj)


class StaffMultipleField(forms.ModelMultipleChoiceField):
    default_error_messages = {"invalid_choice": NOT_PICKABLE}

    def label_from_instance(self, obj):
        return StaffChoice.label(obj)


class RenewsField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.activity.plan.roc_year}年｜{obj.title}（{obj.get_status_display()}{'，' + obj.rating if obj.rating else ''}）"


class ProposalForm(forms.ModelForm):
    """Hualien 附件1 with its team: a leader (主持人) and members picked from the proposing
    government's staff (`staff`), and, for a renewal, the earlier selected proposal (`renewable`)."""

    class Meta:
        model = Proposal
        fields = ["title", "is_renewal"]
        labels = {"title": _("計畫名稱"), "is_renewal": _("續辦")}

    def __init__(self, *args, agency_choices=None, staff=None, renewable=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in PROPOSAL_FIELDS:
            widget = forms.Textarea(attrs={"rows": 3}) if key in LONG else forms.TextInput()
            self.fields[key] = forms.CharField(
                label=label, required=False, widget=widget, initial=self.instance.fields.get(key, "")
            )
        if agency_choices is not None:
            # A coordinator with one agency finds it chosen; one with several may save a draft
            # before choosing (sending requires it: services.proposal_missing).
            only = list(agency_choices[:2])
            self.only_agency = only[0] if len(only) == 1 else None
            self.fields["agency"] = forms.ModelChoiceField(
                agency_choices,
                label=_("推動機關（單位）"),
                required=False,
                initial=self.instance.agency_id if self.instance.agency_id else getattr(self.only_agency, "pk", None),
            )
        if renewable is not None:
            self.fields["renews"] = RenewsField(
                renewable,
                label=_("續辦之原提案"),
                required=False,
                initial=self.instance.renews_id,
                help_text=_("續辦者請選擇本府歷年已入選的提案；送出後由人事人員確認續辦。"),
            )
        if staff is not None:
            filter_attrs = {"class": "staff-picker", "size": 8}
            self.fields["leader"] = StaffField(
                staff,
                label=_("主持人"),
                required=False,
                initial=self.instance.leader_id,
                widget=forms.Select(attrs={"class": "staff-picker"}),
            )
            self.fields["members"] = StaffMultipleField(
                staff,
                label=_("團隊成員"),
                required=False,
                initial=list(self.instance.members.values_list("pk", flat=True)) if self.instance.pk else [],
                widget=forms.SelectMultiple(attrs=filter_attrs),
                help_text=_("可複選（按住 Ctrl 或 ⌘）；主持人不必再列為成員。"),
            )

    def clean(self):
        data = super().clean()
        if "agency" in self.fields and not data.get("agency") and getattr(self, "only_agency", None) is not None:
            data["agency"] = self.only_agency
        agency = data.get("agency") or (self.instance.agency if self.instance.agency_id else None)
        if agency is not None and "members" in self.fields:
            try:
                validate_proposal_team(agency.root, data.get("leader"), data.get("members") or [])
            except ValidationError as error:
                self._add_errors(error)
        renews = data.get("renews")
        if renews is not None and agency is not None:
            try:
                validate_renewal(Proposal(pk=self.instance.pk, agency=agency, activity=self.instance.activity), renews)
            except ValidationError as error:
                self._add_errors(error)
            data["is_renewal"] = True
        return data

    def _add_errors(self, error):
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    def save(self, commit=True):
        proposal = super().save(commit=False)
        proposal.fields = {key: self.cleaned_data.get(key, "") for key, _label in PROPOSAL_FIELDS}
        for key in ("agency", "leader", "renews"):
            if key in self.fields:
                setattr(proposal, key, self.cleaned_data.get(key))
        return proposal

    @property
    def members(self):
        """The chosen members (None when the form has no picker)."""
        return list(self.cleaned_data["members"]) if "members" in self.fields else None


class DecisionForm(forms.Form):
    """HR's decision on a proposal: select / not select / confirm a renewal / rate."""

    ACTIONS = [
        ("select", _("入選")),
        ("not_select", _("未入選")),
        ("confirm_renewal", _("確認續辦")),
        ("rate", _("評等")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    rating = forms.ChoiceField(choices=[("", "—"), *Proposal.Rating.choices], required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "rate" and not data.get("rating"):
            self.add_error("rating", _("請選擇評等。"))
        return data
