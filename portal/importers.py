"""`import_roster`: agencies (with parents), units, employees and their accounts in one pass."""

import logging

from django.utils.translation import gettext as _

from .imports.base import Chunk, Counts, Importer, Row, RowError
from .imports.columns import BooleanColumn, ChoiceColumn, NationalIdColumn, TextColumn
from .imports.lookups import reject_duplicate_keys
from .imports.upsert import bulk_upsert
from .models import Agency, Employee, EmploymentType, Rank, Unit, UnitRole
from .names import name_key

logger = logging.getLogger(__name__)

RANKS = {rank.value: (rank.value, False) for rank in Rank} | {f"相當{rank.value}": (rank.value, True) for rank in Rank}

EMPLOYEE_FIELDS = [
    "name",
    "agency_id",
    "unit_id",
    "title",
    "rank",
    "rank_equivalent",
    "employment_type",
    "works_shifts",
    "unit_role",
    "email",
    "active",
]


class RosterImporter(Importer):
    kind = "roster"
    label = _("人員名冊")
    columns = [
        NationalIdColumn("身分證字號", "身分證號", "統一證號", key="national_id"),
        TextColumn("姓名", key="name", max_length=50),
        TextColumn("機關名稱", "服務機關", key="agency", max_length=100),
        TextColumn("上級機關", key="parent", required=False, max_length=100),
        TextColumn("單位", key="unit", required=False, max_length=100),
        TextColumn("職稱", key="title", required=False, max_length=50),
        ChoiceColumn("官等", key="rank", required=False, default=("", False), choices=RANKS),
        ChoiceColumn("人員類別", key="employment_type", choices={t.value: t.value for t in EmploymentType}),
        BooleanColumn("輪班", key="works_shifts", required=False),
        ChoiceColumn(
            "推動角色", key="unit_role", required=False, default="", choices={r.value: r.value for r in UnitRole}
        ),
        TextColumn("電子郵件", key="email", required=False, max_length=254),
        TextColumn("帳號", key="username", required=False, max_length=150),
        BooleanColumn("在職", key="active", required=False, default=True),
    ]

    def check_columns(self, c: Chunk) -> None:
        c.fail("電子郵件", _("電子郵件格式錯誤"), [bool(e) and ("@" not in e or " " in e) for e in c["email"]])

    def validate(self, rows: list[Row], errors: list[RowError]) -> None:
        reject_duplicate_keys(rows, errors, lambda v: v["national_id"], "身分證字號")
        parents: dict[str, tuple[str, int]] = {}
        for row in rows:
            v = row.values
            agency, parent = name_key(v["agency"]), name_key(v["parent"] or "")
            if parent == agency:
                errors.append(RowError(row.number, "上級機關", _("不可與機關名稱相同")))
            elif parent:
                earlier = parents.setdefault(agency, (parent, row.number))
                if earlier[0] != parent:
                    errors.append(
                        RowError(row.number, "上級機關", _("與第 %(n)d 列填寫的上級機關不同") % {"n": earlier[1]})
                    )

    def apply(self, rows: list[Row]) -> Counts:
        agencies = self._agencies(rows)
        units = self._units(rows, agencies)
        counts = self._employees(rows, agencies, units)
        left = self._complete(rows, agencies) if self.options.get("complete") else []
        counts.warnings += self._accounts(rows, left)
        return counts

    def _complete(self, rows, agencies) -> list[int]:
        """A complete file: the employees of the agencies it names that it does not hold have
        left. Returns their ids; two queries."""
        named = {agencies[name_key(r.values["agency"])].id for r in rows}
        listed = [r.values["national_id"] for r in rows]
        gone = Employee.objects.filter(agency_id__in=named, active=True).exclude(national_id__in=listed)
        ids = list(gone.values_list("id", flat=True))
        if ids:
            Employee.objects.filter(id__in=ids).update(active=False)
        return ids

    def _accounts(self, rows, left: list[int]) -> list[str]:
        """One account per employee of the file (accounts.py); the leavers' accounts closed.
        Returns the warning about the rows that got no account, if any."""
        from .accounts import sync_roster_accounts

        skipped = sync_roster_accounts([r.values | {"row": r.number} for r in rows], left)
        if skipped:
            # Row numbers only: never a national ID in a log line.
            logger.warning(
                "roster import: rows without 帳號 or 電子郵件 get no account: %s", ", ".join(map(str, skipped[:50]))
            )
            shown = "、".join(map(str, skipped[:20])) + ("…" if len(skipped) > 20 else "")
            return [
                _("第 %(rows)s 列（共 %(n)d 列）沒有帳號與電子郵件，或帳號已由他人使用，未建立登入帳號。")
                % {"rows": shown, "n": len(skipped)}
            ]
        return []

    # Agencies are created level by level, so a parent always exists before its children:
    # as many queries as the tree is deep, never one per row.
    def _agencies(self, rows) -> dict[str, Agency]:
        names: dict[str, str] = {}
        parent_of: dict[str, str] = {}
        for row in rows:
            v = row.values
            names.setdefault(name_key(v["agency"]), v["agency"])
            if v["parent"]:
                names.setdefault(name_key(v["parent"]), v["parent"])
                parent_of[name_key(v["agency"])] = name_key(v["parent"])
        known = {a.name_key: a for a in Agency.objects.filter(name_key__in=list(names))}
        moved = []
        for key, parent_key in parent_of.items():
            agency = known.get(key)
            if agency and parent_key in known and agency.parent_id != known[parent_key].id:
                agency.parent = known[parent_key]
                moved.append(agency)
        pending = [key for key in names if key not in known]
        while pending:
            ready = [k for k in pending if parent_of.get(k) is None or parent_of[k] in known]
            if not ready:  # a cycle in the file: break it by making the first one a government
                ready = pending[:1]
                parent_of.pop(ready[0], None)
            created = Agency.objects.bulk_create(
                [self._new_agency(names[k], known.get(parent_of.get(k))) for k in ready]
            )
            known.update({a.name_key: a for a in created})
            pending = [k for k in pending if k not in known]
        for agency in moved:
            parent = agency.parent
            agency.level = parent.level + 1
            agency.government_id = parent.government_id or parent.id
        if moved:
            Agency.objects.bulk_update(moved, ["parent", "level", "government"])
        return known

    @staticmethod
    def _new_agency(name: str, parent: Agency | None) -> Agency:
        agency = Agency(name=name, name_key=name_key(name), parent=parent)
        if parent is not None:
            agency.level = parent.level + 1
            agency.government_id = parent.government_id or parent.id
        return agency

    def _units(self, rows, agencies) -> dict[tuple[int, str], Unit]:
        wanted = {(agencies[name_key(r.values["agency"])].id, r.values["unit"]) for r in rows if r.values["unit"]}
        agency_ids = {a for a, _u in wanted}
        known = {(u.agency_id, u.name): u for u in Unit.objects.filter(agency_id__in=agency_ids)}
        missing = [Unit(agency_id=a, name=n) for a, n in wanted if (a, n) not in known]
        for unit in Unit.objects.bulk_create(missing, batch_size=1000):
            known[(unit.agency_id, unit.name)] = unit
        return known

    def _employees(self, rows, agencies, units) -> Counts:
        wanted = []
        for row in rows:
            v = row.values
            agency_id = agencies[name_key(v["agency"])].id
            rank, equivalent = v["rank"]
            wanted.append(
                {
                    "national_id": v["national_id"],
                    "name": v["name"],
                    "agency_id": agency_id,
                    "unit_id": units[(agency_id, v["unit"])].id if v["unit"] else None,
                    "title": v["title"],
                    "rank": rank,
                    "rank_equivalent": equivalent,
                    "employment_type": v["employment_type"],
                    "works_shifts": v["works_shifts"],
                    "unit_role": v["unit_role"],
                    "email": v["email"],
                    "active": v["active"],
                }
            )
        return bulk_upsert(Employee, wanted, ["national_id"], EMPLOYEE_FIELDS)
