"""Benchmark the staff-standing page (issue 20): a 50,000-person agency against a 10-person one.

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_pages.py [--people 50000] [--repeat 3]

Builds its own government on the database DATABASE_URL names (PostgreSQL: the name sort uses
the ICU stroke collation) with bulk inserts, once: an agency of --people staff in 50 units and
one of 10, five learning records and a forum tally each, under a plan with an hours rule and a
forum rule. It refreshes the stored standings (timed: the nightly job's work), then times
`/incentives/plan/<slug>/staff/` for each agency's coordinator (the default name sort, and the
「已達獎勵」 filter sorted by awards), the median of --repeat runs after one warm-up, with the
number of queries of each. Target: the large agency within 2× the small one, same queries.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench-pages"
WINDOW = {"start": "2014-01-01", "end": "2014-12-31"}
RULES = [
    {
        "code": "hours",
        "kind": "threshold_tiers",
        "clause": "一",
        "window": WINDOW,
        "tiers": [
            {
                "award": "commendation",
                "count": 1,
                "any_of": [{"all_of": [{"metric": "hours", "min": 20}, {"metric": "digital_hours", "min": 10}]}],
            },
            {"award": "commendation", "count": 2, "any_of": [{"all_of": [{"metric": "hours", "min": 30}]}]},
        ],
    },
    {
        "code": "forum",
        "kind": "threshold_tiers",
        "clause": "二",
        "window": WINDOW,
        "tiers": [
            {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}
        ],
    },
]
SURNAMES = "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董潘袁蔡蔣余于杜葉程魏蘇呂丁任沈姚盧"
GIVEN = "志明美玲家豪淑芬俊傑雅婷建宏怡君文雄麗華冠宇佳蓉承翰欣怡宗翰思妤柏翰宜蓁"


def build(people: int) -> dict:
    """The government, its two agencies, staff, records, tallies, plan and coordinators (once)."""
    from django.db import transaction

    from courses.models import ForumTally, LearningRecord
    from portal import nationalid
    from portal.models import Agency, Employee, EmploymentType, Rank, Role, Unit, User
    from programs.models import Plan

    government, _ = Agency.objects.get_or_create(name="基準市政府", parent=None)
    agencies = {}
    for key, name, count in (("large", "基準市政府大局", people), ("small", "基準市政府小局", 10)):
        agency, _ = Agency.objects.get_or_create(name=name, parent=government, defaults={"government": government})
        agencies[key] = (agency, count)
    plan, _ = Plan.objects.update_or_create(
        slug=SLUG,
        defaults={
            "issuer": government,
            "roc_year": 103,
            "title": "基準市103年度數位學習計畫",
            "starts_on": dt.date(2014, 1, 1),
            "ends_on": dt.date(2014, 12, 31),
            "parameters": {"rules": RULES},
        },
    )
    rng = random.Random(20)
    serial = 7000000
    for key, (agency, count) in agencies.items():
        serial += 1000000
        have = Employee.objects.filter(agency=agency).count()
        if have >= count:
            continue
        print(f"building {key} agency: {count - have:,} more people, five records each…", flush=True)
        with transaction.atomic():
            units = [Unit.objects.get_or_create(agency=agency, name=f"第{n + 1}科")[0] for n in range(min(50, count))]
            staff = Employee.objects.bulk_create(
                [
                    Employee(
                        national_id=nationalid.make("E1", serial + have + n),
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        agency=agency,
                        unit=units[n % len(units)],
                        title="科員",
                        rank=Rank.JUNIOR,
                        employment_type=EmploymentType.ESTABLISHED,
                    )
                    for n in range(count - have)
                ],
                batch_size=5000,
            )
            records = (
                LearningRecord(
                    employee=person,
                    course_name=f"數位課程{k}",
                    course_key=f"數位課程{k}",
                    provider="e學中心",
                    hours=Decimal(rng.choice([2, 4, 6, 8])),
                    digital_hours=Decimal(rng.choice([0, 2, 4])),
                    mode="數位",
                    completed_on=dt.date(2014, rng.randint(1, 12), rng.randint(1, 28)),
                )
                for person in staff
                for k in range(5)
            )
            LearningRecord.objects.bulk_create(records, batch_size=10000)
            ForumTally.objects.bulk_create(
                [
                    ForumTally(
                        employee=person,
                        forum="市民論壇",
                        window_start=dt.date(2014, 1, 1),
                        window_end=dt.date(2014, 12, 31),
                        posts=rng.randint(0, 300),
                        replies=0,
                    )
                    for person in staff
                ],
                batch_size=10000,
            )
    coordinators = {}
    for key, (agency, _count) in agencies.items():
        user, _ = User.objects.get_or_create(username=f"bench-coord-{key}", defaults={"role": Role.COORDINATOR})
        user.agencies.set([agency])
        coordinators[key] = user
    return {"plan": plan, "coordinators": coordinators}


def timed_page(client, url: str, repeat: int) -> tuple[float, int, int]:
    """(median seconds, queries, people listed) of GET url, after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), len(queries.captured_queries), response.context["count"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from incentives.refresh import refresh_standings

    setup_test_environment()  # the test client's host name
    call_command("migrate", verbosity=0)
    world = build(args.people)
    plan = world["plan"]
    if connection.vendor == "postgresql":  # fresh statistics after the bulk inserts, as autovacuum would give
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    start = time.perf_counter()
    stored = refresh_standings(plan)
    refresh_s = time.perf_counter() - start
    print(
        f"database: {connection.vendor}; staff page of plan {SLUG}; stored standings refreshed for "
        f"{stored:,} people in {refresh_s:.1f} s (the nightly job and the job after an import)"
    )
    url = reverse("incentives:staff", args=[plan.slug])
    figures = {}
    for view, query in (("by name", ""), ("met, by awards", "?status=met&sort=awards")):
        for key in ("small", "large"):
            client = Client()
            client.force_login(world["coordinators"][key])
            figures[(view, key)] = timed_page(client, url + query, args.repeat)
        (small_s, small_q, small_n), (large_s, large_q, large_n) = figures[(view, "small")], figures[(view, "large")]
        print(
            f"{view:>15}: {large_n:>6,} people {large_s * 1000:7.0f} ms, {large_q} queries; "
            f"{small_n:>3} people {small_s * 1000:5.0f} ms, {small_q} queries; "
            f"ratio {large_s / small_s:.2f}× (target under 2×), same queries: {large_q == small_q}"
        )


if __name__ == "__main__":
    main()
