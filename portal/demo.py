"""Believable demo governments: agencies, units, staff, and a log-in per role.

Kaohsiung (高雄市政府, 288 staff) is the government the demo opens on, in mid-103. Two small
ones show what Kaohsiung's plan does not have: Hualien (花蓮縣政府, 106: 熠星 team ratings,
English and MOOCs certificates, its police bureau outside the plan) and Tainan (臺南市政府,
101: forum tallies with the tally sheet, case reports, contest results, KPI targets).
"""
import random

from django.db import transaction

from . import nationalid
from .models import Agency, Employee, EmploymentType, Rank, Role, Unit, UnitRole, User

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
    "花蓮縣政府": ({"花蓮縣政府人事處": ["綜合企劃科", "考訓科"], "花蓮縣政府教育處": ["學務管理科", "國際教育科"],
                    "花蓮縣政府觀光處": ["觀光行銷科", "遊憩管理科"], "花蓮縣警察局": ["行政科"]}, 6, "U", 2000000, 106),
    "臺南市政府": ({"臺南市政府人事處": ["人力管理科", "考訓科"], "臺南市政府教育局": ["國小教育科", "社會教育科"],
                    "臺南市政府觀光旅遊局": ["觀光行銷科"]}, 6, "DR", 3000000, 101),
}
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明淑芬家豪雅婷俊傑怡君建宏美玲宗翰佩珊冠宇欣怡承恩心怡柏翰詩涵彥廷雅雯文傑惠如"
TITLES = {Rank.SENIOR: ["處長", "副局長", "主任秘書", "專門委員"], Rank.JUNIOR: ["科長", "專員", "科員", "股長"],
          Rank.ELEMENTARY: ["辦事員", "書記", "助理員"]}

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


def _staff(government: Agency, agencies: dict, staff_per_unit: int, letters: str, serial: int,
           rng: random.Random) -> list[Unit]:
    units: list[Unit] = []
    for agency_name, unit_names in agencies.items():
        agency = Agency.objects.filter(name_key=Agency.key_for(agency_name)).first()
        if agency is None:
            agency = Agency(name=agency_name, parent=government)
        elif agency.parent_id is None and agency.pk != government.pk:
            agency.parent = government  # load_plans creates excluded agencies (花蓮縣警察局) without a parent
        agency.save()
        for unit_name in unit_names:
            units.append(Unit.objects.get_or_create(agency=agency, name=unit_name)[0])
    people = []
    for unit in units:
        for position in range(staff_per_unit):
            serial += 1
            rank = Rank.SENIOR if position == 0 else rng.choice([Rank.JUNIOR, Rank.JUNIOR, Rank.ELEMENTARY])
            kind = rng.choices(list(EmploymentType), weights=[80, 5, 8, 3, 1, 2, 1])[0]
            people.append(Employee(
                national_id=nationalid.make(rng.choice(letters) + rng.choice("12"), serial),
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                agency=unit.agency, unit=unit,
                title=rng.choice(TITLES[rank]), rank=rank,
                rank_equivalent=kind in (EmploymentType.APPOINTED, EmploymentType.CONTRACT),
                employment_type=kind, works_shifts=unit.name.endswith("處") and rng.random() < 0.2,
                unit_role={0: UnitRole.UNIT_HEAD, 1: UnitRole.SUPERVISOR_IN_CHARGE, 2: UnitRole.OFFICER}.get(position, ""),
            ))
    Employee.objects.bulk_create(people, ignore_conflicts=True)
    return units


@transaction.atomic
def build_demo(staff_per_unit: int = 16, seed: int = 103) -> dict:
    government, _ = Agency.objects.get_or_create(name_key=Agency.key_for(GOVERNMENT), defaults={"name": GOVERNMENT})
    # Seeded generators: the demo is the same on every machine; no secret comes from them.
    units = _staff(government, AGENCIES, staff_per_unit, "ABEFHKST", 1000000, random.Random(seed))  # nosec B311
    agencies = len(AGENCIES) + 1
    for name, (others, per_unit, letters, serial, other_seed) in OTHER_GOVERNMENTS.items():
        other, _ = Agency.objects.get_or_create(name_key=Agency.key_for(name), defaults={"name": name})
        units += _staff(other, others, per_unit, letters, serial, random.Random(other_seed))  # nosec B311
        agencies += len(others) + 1
    it_unit = Unit.objects.get(agency__name="高雄市政府教育局", name="資訊教育科")
    it_staff = list(Employee.objects.filter(unit=it_unit).order_by("id"))
    hualien_unit = Unit.objects.get(agency__name="花蓮縣政府教育處", name="國際教育科")
    employees = {"sup": it_staff[0], "emp": it_staff[3],
                 "hlemp": Employee.objects.filter(unit=hualien_unit, employment_type=EmploymentType.ESTABLISHED)
                 .order_by("id")[1]}
    for username, full_name, role, agency_name in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.role = role
        user.is_staff = role == Role.HR
        user.is_superuser = role == Role.HR
        user.employee = employees.get(username)
        user.set_password(DEMO_PASSWORD)
        user.save()
        if agency_name:
            user.agencies.set([Agency.objects.get(name=agency_name)])
        if role == Role.SUPERVISOR:
            user.headed_units.set([it_unit])
    return {"agencies": agencies, "units": len(units), "employees": Employee.objects.count()}


def staff_account(employee: Employee) -> User:
    """A log-in for a member of staff the demo acts for (applying for leave); no usable password."""
    user, created = User.objects.get_or_create(username=f"staff{employee.pk}",
                                               defaults={"first_name": employee.name, "employee": employee})
    if created:
        user.set_unusable_password()
        user.save()
    return user
