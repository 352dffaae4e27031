"""A believable demo government: agencies, units, a few hundred staff, a user per role."""
import random

from django.db import transaction

from . import nationalid
from .models import Agency, Employee, EmploymentType, Rank, Role, Unit, UnitRole, User

DEMO_PASSWORD = "demo1234"
GOVERNMENT = "高雄市政府"
AGENCIES = {
    "高雄市政府人事處": ["綜合規劃科", "考訓科", "給與科"],
    "高雄市政府教育局": ["國小教育科", "中等教育科", "社會教育科", "資訊教育科"],
    "高雄市政府社會局": ["社會救助科", "老人福利科", "身心障礙福利科"],
    "高雄市政府衛生局": ["疾病管制處", "食品衛生處", "心理健康科"],
    "高雄市政府工務局": ["土木工程科", "建築管理科"],
    "高雄市鳳山區公所": ["民政課", "社會課", "經建課"],
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
]


@transaction.atomic
def build_demo(staff_per_unit: int = 16, seed: int = 103) -> dict:
    rng = random.Random(seed)
    government, _ = Agency.objects.get_or_create(name_key=Agency.key_for(GOVERNMENT), defaults={"name": GOVERNMENT})
    units: list[Unit] = []
    for agency_name, unit_names in AGENCIES.items():
        agency = Agency.objects.filter(name_key=Agency.key_for(agency_name)).first()
        if agency is None:
            agency = Agency(name=agency_name, parent=government)
            agency.save()
        for unit_name in unit_names:
            units.append(Unit.objects.get_or_create(agency=agency, name=unit_name)[0])
    serial = 1000000
    people = []
    for unit in units:
        for position in range(staff_per_unit):
            serial += 1
            rank = Rank.SENIOR if position == 0 else rng.choice([Rank.JUNIOR, Rank.JUNIOR, Rank.ELEMENTARY])
            kind = rng.choices(list(EmploymentType), weights=[80, 5, 8, 3, 1, 2, 1])[0]
            people.append(Employee(
                national_id=nationalid.make(rng.choice("ABEFHKST") + rng.choice("12"), serial),
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                agency=unit.agency, unit=unit,
                title=rng.choice(TITLES[rank]), rank=rank,
                rank_equivalent=kind in (EmploymentType.APPOINTED, EmploymentType.CONTRACT),
                employment_type=kind, works_shifts=unit.name.endswith("處") and rng.random() < 0.2,
                unit_role={0: UnitRole.UNIT_HEAD, 1: UnitRole.SUPERVISOR_IN_CHARGE, 2: UnitRole.OFFICER}.get(position, ""),
            ))
    Employee.objects.bulk_create(people, ignore_conflicts=True)
    it_unit = Unit.objects.get(agency__name="高雄市政府教育局", name="資訊教育科")
    it_staff = list(Employee.objects.filter(unit=it_unit).order_by("id"))
    for username, full_name, role, agency_name in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.role = role
        user.is_staff = role == Role.HR
        user.is_superuser = role == Role.HR
        if role == Role.SUPERVISOR:
            user.employee = it_staff[0]
        elif role == Role.EMPLOYEE:
            user.employee = it_staff[3]
        user.set_password(DEMO_PASSWORD)
        user.save()
        if agency_name:
            user.agencies.set([Agency.objects.get(name=agency_name)])
        if role == Role.SUPERVISOR:
            user.headed_units.set([it_unit])
    return {"agencies": len(AGENCIES) + 1, "units": len(units), "employees": Employee.objects.count()}
