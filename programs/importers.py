"""`import_results PLAN KIND FILE`: results decided outside the portal that the rules count."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.imports.base import Counts, RowError
from portal.imports.columns import ChoiceColumn, DateColumn, NationalIdColumn, TextColumn
from portal.imports.lookups import PeopleImporter, reject_duplicate_keys
from portal.imports.upsert import bulk_upsert

from . import services
from .models import (
    CERTIFICATES,
    COUNTED_PROPOSAL_STATES,
    CaseReport,
    Certificate,
    ContestEntry,
    Plan,
    Proposal,
    Team,
    TeamMember,
    validate_contest_authors,
    validate_team_roster,
)


class ResultImporter(PeopleImporter):
    """Results of people on the roster; they belong to one plan, named on the command line."""

    def plan(self) -> Plan:
        return Plan.objects.get(slug=self.options["plan"])


class CertificateImporter(ResultImporter):
    kind = "certificates"
    label = _("證書")

    @property
    def columns(self):
        names = CERTIFICATES.get(self.options.get("plan"), [])
        return [
            NationalIdColumn("身分證字號", "身分證號", key="national_id"),
            ChoiceColumn("證書", key="name", choices={n: n for n in names})
            if names
            else TextColumn("證書", key="name", max_length=50),
            DateColumn("取得日期", key="obtained_on"),
        ]

    def validate(self, rows, errors):
        reject_duplicate_keys(rows, errors, lambda v: (v["national_id"], v["name"]), "證書")

    def apply(self, rows):
        plan = self.plan()
        wanted = [
            {
                "employee_id": r.values["employee_id"],
                "plan_id": plan.pk,
                "name": r.values["name"],
                "obtained_on": r.values["obtained_on"],
            }
            for r in rows
        ]
        return bulk_upsert(Certificate, wanted, ["employee_id", "plan_id", "name"], ["obtained_on"])


class CaseReportImporter(ResultImporter):
    kind = "case-reports"
    label = _("案例報告")
    columns = [
        NationalIdColumn("身分證字號", "身分證號", key="national_id"),
        TextColumn("題目", key="title", max_length=200),
        DateColumn("繳交日期", key="submitted_on"),
        ChoiceColumn("審查", key="accepted", choices={"通過": True, "未通過": False}),
    ]

    def validate(self, rows, errors):
        reject_duplicate_keys(rows, errors, lambda v: (v["national_id"], v["title"]), "題目")

    def apply(self, rows):
        plan = self.plan()
        wanted = [
            {
                "employee_id": r.values["employee_id"],
                "plan_id": plan.pk,
                "title": r.values["title"],
                "submitted_on": r.values["submitted_on"],
                "accepted": r.values["accepted"],
            }
            for r in rows
        ]
        return bulk_upsert(CaseReport, wanted, ["employee_id", "plan_id", "title"], ["submitted_on", "accepted"])


def _replace_groups(rows, group_key: str) -> dict[str, list]:
    groups = defaultdict(list)
    for row in rows:
        groups[row.values[group_key]].append(row)
    return groups


class TeamRatingImporter(ResultImporter):
    kind = "team-ratings"
    label = _("熠星團隊評等")
    # The same values the models (and so the admin) accept.
    columns = [
        TextColumn("團隊", key="team", max_length=200),
        ChoiceColumn("評等", key="rating", choices={v: v for v in Proposal.Rating.values}),
        NationalIdColumn("身分證字號", "身分證號", key="national_id"),
        ChoiceColumn("角色", key="role", choices={v: v for v in TeamMember.Role.values}),
    ]

    def proposals(self, names) -> dict[str, Proposal]:
        """The plan's selected or rated proposals named like the file's teams, with their teams loaded."""
        found = Proposal.objects.filter(
            activity__plan__slug=self.options["plan"], title__in=list(names), status__in=COUNTED_PROPOSAL_STATES
        ).prefetch_related("members")
        return {p.title: p for p in found}

    def validate(self, rows, errors):
        reject_duplicate_keys(rows, errors, lambda v: (v["team"], v["national_id"]), "身分證字號")
        groups = _replace_groups(rows, "team")
        proposals = self.proposals(groups)
        for team, members in groups.items():
            if len({m.values["rating"] for m in members}) > 1:
                errors.append(RowError(members[-1].number, "評等", _("同一團隊的評等不一致")))
            # One rule for the file and the admin (models.validate_team_roster): one leader, and
            # a selected proposal's team is exactly the proposal's leader and members.
            people = [(m.values["employee_id"], m.values["role"]) for m in members]
            for index, column, message in validate_team_roster(team, people, proposals.get(team)):
                errors.append(RowError(members[index].number, column, message))

    def apply(self, rows):
        plan = self.plan()
        counts = Counts()
        groups = _replace_groups(rows, "team")
        proposals = self.proposals(groups)
        # A team's rows in the file are the whole team: members not listed are removed.
        for name, members in groups.items():
            team, created = Team.objects.update_or_create(
                plan=plan, name=name, defaults={"rating": members[0].values["rating"]}
            )
            if name in proposals:
                services.record_imported_rating(None, team, proposals[name], members[0].values["rating"])
            wanted = [
                {"team_id": team.pk, "employee_id": m.values["employee_id"], "role": m.values["role"]} for m in members
            ]
            counts += bulk_upsert(TeamMember, wanted, ["team_id", "employee_id"], ["role"])
            dropped = team.members.exclude(employee_id__in=[w["employee_id"] for w in wanted])
            for employee_id, role in dropped.values_list("employee_id", "role"):
                counts.changed({"team_id": team.pk, "employee_id": employee_id}, {"role": role}, None)
            removed, _detail = dropped.delete()
            counts.updated += removed
        return counts


class ContestImporter(ResultImporter):
    kind = "contest"
    label = _("競賽結果")
    columns = [
        TextColumn("作品", key="title", max_length=200),
        ChoiceColumn("審查", key="review", choices={"通過": "通過", "未通過": "未通過"}),
        ChoiceColumn(
            "名次", key="placing", required=False, default="", choices={"1": "1", "2": "2", "3": "3", "佳作": "佳作"}
        ),
        NationalIdColumn("身分證字號", "身分證號", key="national_id"),
        ChoiceColumn("角色", key="role", choices={"作者": "作者", "機關首長": "機關首長"}),
    ]

    def validate(self, rows, errors):
        for title, people in _replace_groups(rows, "title").items():
            authors = [p for p in people if p.values["role"] == "作者"]
            try:
                validate_contest_authors(authors)  # Tainan 101: at most 2 credited people per work
            except ValidationError:
                errors.append(
                    RowError(
                        authors[2].number,
                        "角色",
                        _("每件作品至多 2 位作者（「%(t)s」有 %(n)d 位）") % {"t": title, "n": len(authors)},
                    )
                )
            if len({(p.values["review"], p.values["placing"]) for p in people}) > 1:
                errors.append(RowError(people[-1].number, "審查", _("同一作品的審查結果或名次不一致")))

    def apply(self, rows):
        plan = self.plan()
        counts = Counts()
        for title, people in _replace_groups(rows, "title").items():
            first = people[0].values
            entry, created = ContestEntry.objects.update_or_create(
                plan=plan, title=title, defaults={"review": first["review"], "placing": first["placing"]}
            )
            authors = sorted(p.values["employee_id"] for p in people if p.values["role"] == "作者")
            heads = [p.values["employee_id"] for p in people if p.values["role"] == "機關首長"]
            changed = sorted(entry.authors.values_list("pk", flat=True)) != authors or entry.agency_head_id != (
                heads[0] if heads else None
            )
            entry.authors.set(authors)
            if changed:
                entry.agency_head_id = heads[0] if heads else None
                entry.save(update_fields=["agency_head"])
            if created:
                counts.created += 1
            elif changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts
