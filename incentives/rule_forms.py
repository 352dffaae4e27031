"""The form HR edits a rule with, made from its kind's schema (`incentives.kinds`).

Every leaf of the schema becomes one form field named by its path (``tiers.0.any_of.0.all_of.0.min``),
with the Chinese label, unit and help of the schema; each list shows its items and one blank item
to add; a blank item is dropped on saving. Dates are typed and shown in the ROC calendar. The
raw JSON is never shown. On saving, the rule is assembled from the fields and checked against
its kind and the plan (`kinds.rule_problems`); each problem is put on the field it names.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

from portal import admin_display, rocdate

from . import kinds
from .schema import BOOLEAN, CHOICE, DATE, INTEGER, NUMBER, TEXT, Group, ListOf, MapOf, Param

FIXED = ("code", "kind")  # shown, never edited: decisions and grants are keyed by them
LONG_TEXT = ("text", "description", "rewards")


class RocDateField(admin_display.RocDateField):
    """The portal's ROC date field; the rule's stored ISO dates are shown as 103/08/31 too."""

    def prepare_value(self, value):
        if isinstance(value, str) and value:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return value
        return rocdate.to_roc_short(value) if isinstance(value, dt.date) else value


@dataclass
class Node:
    """One box of the form as the template draws it: a field, or a titled group of nodes."""

    legend: str = ""
    name: str = ""  # a field's name (leaves only)
    help: str = ""
    children: list = field(default_factory=list)
    new: bool = False  # the blank item a list offers for adding one (drawn folded)

    @property
    def is_field(self) -> bool:
        return bool(self.name)


def _name(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def _form_field(param: Param, initial, long_text: bool = False):
    label = str(param.label) + (f"（{param.unit}）" if param.unit else "")
    common = {"label": label, "required": False, "help_text": str(param.help) if param.help else ""}
    if param.type == INTEGER:
        return forms.IntegerField(min_value=param.minimum, initial=initial, **common)
    if param.type == NUMBER:
        return forms.DecimalField(min_value=param.minimum, initial=initial, **common)
    if param.type == DATE:
        return RocDateField(initial=initial, **common)
    if param.type == BOOLEAN:
        return forms.BooleanField(initial=bool(initial), **common)
    if param.type == CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(k, str(v)) for k, v in param.choices.items()], initial=initial, **common
        )
    if long_text:
        return forms.CharField(initial=initial, widget=forms.Textarea(attrs={"rows": 4}), **common)
    return forms.CharField(initial=initial, **common)


class RuleForm(forms.Form):
    """A rule's parameters as fields; `rule()` gives the checked rule after `is_valid()`.

    `rule`: the rule as stored (a dict with `code` and `kind`); `refs`: the plan's course lists
    and side bundles, for the check.
    """

    def __init__(self, rule: dict, refs: kinds.PlanRefs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original, self.refs = rule, refs
        self.kind = kinds.KINDS[rule["kind"]]
        self.leaves: dict[str, tuple[tuple, Param]] = {}
        # A bound form draws the items the person sent (with one more blank each), else the stored ones.
        self.tree = self._build(self.kind.params, rule, ())

    def _count(self, path: tuple, stored: list) -> int:
        if not self.is_bound:
            return len(stored) + 1
        prefix = _name(path) + "."
        indexes = {
            int(key[len(prefix) :].split(".", 1)[0])
            for key in self.data
            if key.startswith(prefix) and key[len(prefix) :].split(".", 1)[0].isdigit()
        }
        return max(indexes, default=-1) + 2

    def _build(self, schema, value, path: tuple) -> Node:
        if isinstance(schema, Param):
            name = _name(path)
            self.fields[name] = _form_field(schema, value, long_text=path[-1] in LONG_TEXT)
            self.leaves[name] = (path, schema)
            return Node(name=name)
        if isinstance(schema, Group):
            value = value if isinstance(value, dict) else {}
            node = Node(str(schema.label), help=str(schema.help or ""))
            for key, child in schema.fields.items():
                if not path and key in FIXED:
                    continue
                node.children.append(self._build(child, value.get(key), path + (key,)))
            if len(node.children) == 1 and not node.children[0].is_field:
                # A group holding only a list (a path's conditions) draws as that list, one box less.
                only = node.children[0]
                return Node(node.legend, help=node.help or only.help, children=only.children)
            return node
        if isinstance(schema, ListOf):
            items = value if isinstance(value, list) else []
            node = Node(str(schema.label), help=str(schema.help or ""))
            for index in range(self._count(path, items)):
                child = self._build(schema.item, items[index] if index < len(items) else None, path + (index,))
                child.legend = f"{child.legend or schema.label} {index + 1}"
                if index >= len(items):
                    child.legend, child.new = _("新增%(what)s") % {"what": child.legend.rsplit(" ", 1)[0]}, True
                node.children.append(child)
            return node
        if isinstance(schema, MapOf):
            value = value if isinstance(value, dict) else {}
            node = Node(str(schema.label), help=str(schema.help or ""))
            for key, label in schema.keys.items():
                child = self._build(schema.item, value.get(key), path + (key,))
                child.legend = str(label)
                node.children.append(child)
            return node
        raise TypeError(schema)

    # -- assembling the rule from the fields ------------------------------------------------

    def _assemble(self, schema, path: tuple):
        """The value under `path` from cleaned data; None when the person left it blank."""
        if isinstance(schema, Param):
            value = self.cleaned_data.get(_name(path))
            if schema.type == BOOLEAN:
                return True if value else None
            if value in (None, ""):
                return None
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            return value.strip() if schema.type == TEXT else value
        if isinstance(schema, Group):
            found = {}
            for key, child in schema.fields.items():
                if not path and key in FIXED:
                    continue
                value = self._assemble(child, path + (key,))
                if value not in (None, [], {}):
                    found[key] = value
            return found or None
        if isinstance(schema, ListOf):
            items = []
            index = 0
            while any(n == (p := _name(path + (index,))) or n.startswith(p + ".") for n in self.fields):
                value = self._assemble(schema.item, path + (index,))
                if value not in (None, [], {}):
                    items.append(value)
                index += 1
            return items
        if isinstance(schema, MapOf):
            found = {}
            for key in schema.keys:
                value = self._assemble(schema.item, path + (key,))
                if value not in (None, [], {}):
                    found[key] = value
            return found or None
        raise TypeError(schema)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        rule = {
            "code": self.original["code"],
            "kind": self.original["kind"],
            **(self._assemble(self.kind.params, ()) or {}),
        }
        # A list the schema requires but the person emptied stays an empty list (Hualien's tiers: []).
        for key, child in self.kind.params.fields.items():
            if isinstance(child, ListOf) and key not in rule and key in self.original:
                rule[key] = []
        for problem in kinds.rule_problems(rule, self.refs):
            name = _name(problem.path)
            target = name if name in self.fields else None
            message = problem.message if target else f"{kinds.field_name(rule, problem.path)}：{problem.message}"
            self.add_error(target, message)
        self.assembled = rule
        return cleaned

    def rule(self) -> dict:
        return self.assembled
