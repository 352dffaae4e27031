"""Believable demo governments: their staff come in on a roster HR imports, and HR opens a
log-in for each role on the admin's account pages.

Kaohsiung (高雄市政府, 288 staff) is the government the demo opens on, in mid-103. Two small
ones show what Kaohsiung's plan does not have: Hualien (花蓮縣政府, 106: 熠星 team ratings,
English and MOOCs certificates, its police bureau outside the plan) and Tainan (臺南市政府,
101: forum tallies with the tally sheet, case reports, contest results, KPI targets).
"""

import contextlib
import datetime as dt
import os
import random
from dataclasses import dataclass, field

from portal import nationalid
from portal.models import Agency, Employee, EmploymentType, Rank, Role, Unit, UnitRole, User

from .doors import DemoStepFailed, Files, Person, command, import_file, on

# The demo's published password (README); real accounts never use it.
DEMO_PASSWORD = "demo1234"  # nosec B105
GOVERNMENT = "高雄市政府"
AGENCIES = {
    "高雄市政府人事處": ["綜合規劃科", "考訓科", "給與科"],
    "高雄市政府教育局": ["國小教育科", "中等教育科", "社會教育科", "資訊教育科"],
    "高雄市政府社會局": ["社會救助科", "老人福利科", "身心障礙福利科"],
    "高雄市政府衛生局": ["疾病管制處", "食品衛生處", "心理健康科"],
    "高雄市政府工務局": ["土木工程科", "建築管理科"],
    "高雄市鳳山區公所": ["民政課", "社會課", "經建課"],
}
# The smaller governments: (agencies and units, staff per unit, national-ID letters, serial base, seed).
OTHER_GOVERNMENTS = {
    "花蓮縣政府": (
        {
            "花蓮縣政府人事處": ["綜合企劃科", "考訓科"],
            "花蓮縣政府教育處": ["學務管理科", "國際教育科"],
            "花蓮縣政府觀光處": ["觀光行銷科", "遊憩管理科"],
            "花蓮縣警察局": ["行政科"],
        },
        6,
        "U",
        2000000,
        106,
    ),
    "臺南市政府": (
        {
            "臺南市政府人事處": ["人力管理科", "考訓科"],
            "臺南市政府教育局": ["國小教育科", "社會教育科"],
            "臺南市政府觀光旅遊局": ["觀光行銷科"],
        },
        6,
        "DR",
        3000000,
        101,
    ),
}
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明淑芬家豪雅婷俊傑怡君建宏美玲宗翰佩珊冠宇欣怡承恩心怡柏翰詩涵彥廷雅雯文傑惠如"
TITLES = {
    Rank.SENIOR: ["處長", "副局長", "主任秘書", "專門委員"],
    Rank.JUNIOR: ["科長", "專員", "科員", "股長"],
    Rank.ELEMENTARY: ["辦事員", "書記", "助理員"],
}
ROSTER_HEADER = ["身分證字號", "姓名", "機關名稱", "上級機關", "單位", "職稱", "官等", "人員類別", "輪班", "推動角色"]
# The day HR sets the portal up: the rosters come in and the accounts are opened, before the earliest year (Tainan 101).
SET_UP_ON = dt.date(2012, 1, 2)

USERS = [
    # username, name, role, agency for coordinators
    ("hr", "人事處 林承辦", Role.HR, None),
    ("coord", "教育局 陳承辦", Role.COORDINATOR, "高雄市政府教育局"),
    ("coord2", "社會局 黃承辦", Role.COORDINATOR, "高雄市政府社會局"),
    ("sup", "教育局 資訊教育科 科長", Role.SUPERVISOR, None),
    ("emp", "教育局 資訊教育科 科員", Role.EMPLOYEE, None),
    ("hlcoord", "花蓮縣政府教育處 吳承辦", Role.COORDINATOR, "花蓮縣政府教育處"),
    ("hlemp", "花蓮縣政府教育處 國際教育科 科員", Role.EMPLOYEE, None),
    ("tncoord", "臺南市政府教育局 許承辦", Role.COORDINATOR, "臺南市政府教育局"),
]


@dataclass
class Roster:
    """The staff as the roster lists them, in the file's order (national IDs by agency and by unit)."""

    rows: list[list] = field(default_factory=list)
    by_unit: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def national_ids(
        self,
        government: str | None = None,
        agency: str | None = None,
        unit: str | None = None,
        established: bool = False,
    ) -> list[str]:
        return [
            row[0]
            for row in self.rows
            if (government is None or row[3] == government)
            and (agency is None or row[2] == agency)
            and (unit is None or row[4] == unit)
            and (not established or row[7] == EmploymentType.ESTABLISHED)
        ]

    def employees(self, **filters) -> list[Employee]:
        """The employees the roster brought in, in the roster's order."""
        ids = self.national_ids(**filters)
        found = Employee.objects.select_related("agency", "unit").in_bulk(ids, field_name="national_id")
        return [found[i] for i in ids]


def _staff(
    government: str, agencies: dict, staff_per_unit: int, letters: str, serial: int, rng: random.Random, roster: Roster
) -> None:
    """The rows of one government's roster. The generator is called in the same order as
    ever, so the same people come out on every machine."""
    for agency_name, unit_names in agencies.items():
        for unit_name in unit_names:
            for position in range(staff_per_unit):
                serial += 1
                rank = Rank.SENIOR if position == 0 else rng.choice([Rank.JUNIOR, Rank.JUNIOR, Rank.ELEMENTARY])
                kind = rng.choices(list(EmploymentType), weights=[80, 5, 8, 3, 1, 2, 1])[0]
                national_id = nationalid.make(rng.choice(letters) + rng.choice("12"), serial)
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
                title = rng.choice(TITLES[rank])
                equivalent = kind in (EmploymentType.APPOINTED, EmploymentType.CONTRACT)
                shifts = unit_name.endswith("處") and rng.random() < 0.2
                role = {0: UnitRole.UNIT_HEAD, 1: UnitRole.SUPERVISOR_IN_CHARGE, 2: UnitRole.OFFICER}.get(position, "")
                roster.rows.append(
                    [
                        national_id,
                        name,
                        agency_name,
                        government,
                        unit_name,
                        title,
                        f"相當{rank.value}" if equivalent else rank.value,
                        kind.value,
                        "Y" if shifts else "N",
                        role,
                    ]
                )
                roster.by_unit.setdefault((agency_name, unit_name), []).append(national_id)


def import_rosters(files: Files, staff_per_unit: int = 16, seed: int = 103) -> Roster:
    """HR imports each government's roster (人員名冊) from the personnel system."""
    roster = Roster()
    # Seeded generators: the demo is the same on every machine; no secret comes from them.
    _staff(GOVERNMENT, AGENCIES, staff_per_unit, "ABEFHKST", 1000000, random.Random(seed), roster)  # nosec B311
    files_rows = [("高雄市政府人員名冊.csv", list(roster.rows))]
    for name, (others, per_unit, letters, serial, other_seed) in OTHER_GOVERNMENTS.items():
        start = len(roster.rows)
        _staff(name, others, per_unit, letters, serial, random.Random(other_seed), roster)  # nosec B311
        files_rows.append((f"{name}人員名冊.csv", roster.rows[start:]))
    with on(SET_UP_ON):
        for file_name, rows in files_rows:
            import_file(files, "import_roster", file_name, ROSTER_HEADER, rows)
    return roster


@contextlib.contextmanager
def environment(**values):
    """Environment variables set for the block and put back after it (createsuperuser reads its account there)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def first_hr_account() -> User:
    """The first HR account, as whoever installs the portal makes it: `createsuperuser --noinput`."""
    with environment(
        DJANGO_SUPERUSER_USERNAME="hr",
        DJANGO_SUPERUSER_PASSWORD=DEMO_PASSWORD,
        DJANGO_SUPERUSER_EMAIL="hr@example.gov.tw",
    ):
        command("createsuperuser", interactive=False)
    return User.objects.get(username="hr")


def open_account(
    hr: Person,
    username: str,
    *,
    password: str | None,
    role: str,
    full_name: str,
    employee: Employee | None = None,
    agencies=(),
    headed_units=(),
) -> User:
    """HR opens a log-in on the admin's add page, then fills in its role and scope on its change page.

    The demo log-ins get the published password; the staff the demo acts for get none (the
    add page's 「以密碼登入」 off), so nobody can sign in as them."""
    # The add page's switch 「以密碼登入」 (Django's usable_password): "true" or "false", not a password.
    add = {"username": username, "role": role, "usable_password": "true" if password else "false"}  # nosec B105
    if password:
        add |= {"password1": password, "password2": password}
    pk = hr.admin_add("portal.User", add, step=f"人事人員新增帳號 {username}")
    hr.admin_change(
        "portal.User",
        pk,
        {
            "first_name": full_name,
            # Every demo log-in has an address, so `make run` shows the messages it is sent (issue 18).
            "email": f"{username}@example.gov.tw",
            "role": role,
            "employee": str(employee.pk) if employee else "",
            "agencies": [str(a.pk) for a in agencies],
            "headed_units": [str(u.pk) for u in headed_units],
        },
        step=f"人事人員設定帳號 {username} 的角色與範圍",
    )
    user = User.objects.get(pk=pk)
    if user.role != role or user.employee_id != (employee.pk if employee else None):
        raise DemoStepFailed(f"帳號 {username} 的角色或人員未存入")
    return user


def staff_account(hr: Person, employee: Employee) -> User:
    """HR opens a log-in for a member of staff the demo acts for (applying for leave)."""
    existing = User.objects.filter(employee=employee).first()
    if existing:
        return existing
    return open_account(
        hr, f"staff{employee.pk}", password=None, role=Role.EMPLOYEE, full_name=employee.name, employee=employee
    )


def supervisor_account(hr: Person, head: Employee, unit: Unit) -> User:
    """HR makes a unit head a supervisor who approves (核章) the unit's leave."""
    existing = User.objects.filter(headed_units=unit).first()
    if existing:
        return existing
    return open_account(
        hr,
        f"head{head.pk}",
        password=None,
        role=Role.SUPERVISOR,
        full_name=head.name,
        employee=head,
        headed_units=[unit],
    )


def demo_accounts(roster: Roster) -> dict[str, User]:
    """The log-ins of the README: HR first, then HR opens every other one."""
    hr_user = first_hr_account()
    hr = Person(hr_user)
    with on(SET_UP_ON):
        hr.admin_change(
            "portal.User", hr_user.pk, {"first_name": USERS[0][1], "role": Role.HR}, step="人事人員填寫自己的角色"
        )
        it_unit = Unit.objects.get(agency__name="高雄市政府教育局", name="資訊教育科")
        it_staff = roster.employees(agency="高雄市政府教育局", unit="資訊教育科")
        hualien = roster.employees(agency="花蓮縣政府教育處", unit="國際教育科", established=True)
        employees = {"sup": it_staff[0], "emp": it_staff[3], "hlemp": hualien[1]}
        users = {"hr": hr_user}
        for username, full_name, role, agency_name in USERS[1:]:
            users[username] = open_account(
                hr,
                username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                employee=employees.get(username),
                agencies=[Agency.objects.get(name=agency_name)] if agency_name else [],
                headed_units=[it_unit] if role == Role.SUPERVISOR else [],
            )
    return users
