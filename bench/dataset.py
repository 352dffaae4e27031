"""Build (or reuse) the national-scale benchmark government on PostgreSQL.

    .venv/bin/python bench/dataset.py --db portal_bench_eval [--people 50000] [--records 1000000] [--only kaohsiung]

Two governments under their source plans: 高雄市政府 (kaohsiung-103, records in 2014) and
桃園縣政府 (taoyuan-98, records in 2009), each with `--people` staff in 50 agencies and
1,000 units and `--records` learning records in the plan's year: one record in seven on a
bundle course (Kaohsiung's double-e bundles), completion times spread over the whole day,
a few overtime and leave periods, and forum tallies for a third of the staff. Rows go in
with COPY. A finished build leaves a `bench_built` table naming its size; the next call with
the same size reuses the database as it is (the build takes minutes on two cores).
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"

GOVERNMENTS = {
    # key: (issuer name, plan slug, year, national-ID prefix)
    "kaohsiung": ("高雄市政府", "kaohsiung-103", 2014, "E1"),
    "taoyuan": ("桃園縣政府", "taoyuan-98", 2009, "H1"),
}
GENERIC_COURSES = [
    f"{topic}（第{n}講）"
    for topic in ("公務倫理", "性別主流化", "資訊安全", "環境教育", "行政中立", "心理健康", "英語會話", "政策行銷")
    for n in range(1, 26)
]


def psql(sql: str, db: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def built_size(db: str) -> str:
    """The size recorded by a finished build ('50000/1000000/kaohsiung,taoyuan'), else ''."""
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
        return ""
    return psql("SELECT size FROM bench_built", db) if psql("SELECT to_regclass('bench_built')", db) else ""


def ensure(db: str, people: int, records: int, only: list[str]) -> float:
    """Build the database unless a finished build of this size is there: seconds spent (0 if reused)."""
    size = f"{people}/{records}/{','.join(only)}"
    env = {**os.environ, "DATABASE_URL": f"{PG}/{db}", "PORTAL_TODAY": ""}
    env.pop("PORTAL_TODAY")
    manage = [sys.executable, str(ROOT / "manage.py")]
    if built_size(db) == size:
        # A database built by an earlier checkout gets this one's migrations (a new index).
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        psql("VACUUM ANALYZE", db)
        return 0.0
    start = time.perf_counter()
    psql(f'DROP DATABASE IF EXISTS "{db}"')
    psql(f'CREATE DATABASE "{db}"')
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_plans"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, __file__, "--child", "--people", str(people), "--records", str(records), "--only", *only],
        env=env,
        check=True,
        cwd=ROOT,
    )
    psql(f"CREATE TABLE bench_built (size text); INSERT INTO bench_built VALUES ('{size}');", db)
    # What autovacuum does within minutes of a large import (PostgreSQL 13+ vacuums after
    # inserts): the statistics, and the visibility map that index-only scans rely on.
    psql("VACUUM ANALYZE", db)
    # The rows went in by COPY on psycopg's raw cursor and by psql, past Django's write watch:
    # pages cached before (with this CACHE_URL) must not be served (portal.pagecache).
    subprocess.run([*manage, "clear_page_cache"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill(people: int, records: int, only: list[str]) -> None:
    """In the child process (Django set up on the bench database): the staff and their records."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    from courses.models import AttendancePeriod, Bundle, ForumTally, LearningRecord
    from courses.names import normalize_course_name
    from portal import nationalid
    from portal.models import Agency, Employee, Unit

    rng = random.Random(20)
    bundle_courses = sorted(
        {(e.course.name, e.hours) for b in Bundle.objects.prefetch_related("entries__course") for e in b.entries.all()}
    )
    courses = [(name, Decimal(hours)) for name, hours in bundle_courses]
    generic = [(name, Decimal(rng.choice(["1", "2", "3", "1.5"]))) for name in GENERIC_COURSES]
    keys = {name: normalize_course_name(name) for name, _h in courses + generic}
    bundles = {
        (b.kind, b.rank or b.slug): [(e.course.name, Decimal(e.hours)) for e in b.entries.all()]
        for b in Bundle.objects.prefetch_related("entries__course")
    }
    sides = [v for (kind, _s), v in bundles.items() if kind == "side"]
    tz = dt.timezone(dt.timedelta(hours=8))
    for key in only:
        issuer_name, _slug, year, prefix = GOVERNMENTS[key]
        government = Agency.objects.get(name=issuer_name)
        agencies = [Agency.objects.create(name=f"{issuer_name}第{n:02d}局處", parent=government) for n in range(50)]
        units = Unit.objects.bulk_create(Unit(agency=a, name=f"第{n:02d}科") for a in agencies for n in range(20))
        batch = []
        for n in range(people):
            unit = units[n % len(units)]
            batch.append(
                Employee(
                    national_id=nationalid.make(prefix, n),
                    name=f"人員{n:06d}",
                    agency_id=unit.agency_id,
                    unit=unit,
                    rank=rng.choice(["簡任", "薦任", "薦任", "委任", "委任"]),
                    employment_type="編制內" if n % 10 else "約僱",
                    unit_role=["單位主管", "主辦主管", "承辦人"][n % 3]
                    if n % len(units) < 3 * len(units) // 50
                    else "",
                )
            )
        for start in range(0, len(batch), 5000):
            Employee.objects.bulk_create(batch[start : start + 5000])
        ids = list(Employee.objects.filter(agency__government=government).order_by("pk").values_list("pk", "rank"))
        per_person = max(records // len(ids), 1)
        fields = [f for f in LearningRecord._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]

        def rows(ids=ids, per_person=per_person, year=year, fields=fields):
            for n, (employee_id, rank) in enumerate(ids):
                # A tenth complete their main and a side (Kaohsiung's double-e), four in seven
                # take three bundle courses; never the same course twice for a person.
                if n % 10 == 0 and bundles:
                    chosen = list(dict.fromkeys(bundles[("main", rank)] + sides[n % len(sides)]))
                else:
                    chosen = [courses[i] for i in rng.sample(range(len(courses)), k=3)] if n % 7 < 4 else []
                chosen += rng.sample(generic, k=max(per_person - len(chosen), 0))
                for name, hours in chosen:
                    # The bundle takers learn in the evenings before the plan's 08/31 deadline.
                    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(240 if n % 10 == 0 else 365))
                    hour = rng.randrange(18, 23) if n % 10 == 0 and rng.random() < 0.95 else rng.randrange(24)
                    at = dt.time(hour, rng.randrange(60)) if rng.random() < 0.9 else None
                    values = {
                        "employee_id": employee_id,
                        "course_name": name,
                        "course_key": keys[name],
                        "provider": "e學中心",
                        "hours": hours,
                        "digital_hours": hours if rng.random() < 0.7 else Decimal(0),
                        "mode": "數位",
                        "category": "",
                        "job_related": rng.random() < 0.5,
                        "started_on": None,
                        "completed_on": day,
                        "completed_at": at,
                        "used_for_leave": False,
                        "batch_id": None,
                        "withdrawn_at": None,
                        "withdrawn_by_id": None,
                    }
                    yield [values[f.attname] if f.attname in values else f.get_default() for f in fields]

        with connection.cursor() as cursor:
            _copy(cursor.cursor, LearningRecord._meta.db_table, columns, rows())
            periods = []
            for employee_id, _rank in ids[::20]:
                day = dt.datetime(year, 1, 1, 18, tzinfo=tz) + dt.timedelta(days=rng.randrange(365))
                periods.append((employee_id, "加班", day, day + dt.timedelta(hours=3)))
                day = dt.datetime(year, 1, 1, 8, 30, tzinfo=tz) + dt.timedelta(days=rng.randrange(365))
                periods.append((employee_id, "休假", day, day + dt.timedelta(hours=9)))
            _copy(
                cursor.cursor,
                AttendancePeriod._meta.db_table,
                ["employee_id", "kind", "starts_at", "ends_at"],
                periods,
            )
            tally_fields = [f for f in ForumTally._meta.concrete_fields if not f.primary_key]
            tallies = []
            for employee_id, _rank in ids[::3]:
                values = {
                    "employee_id": employee_id,
                    "forum": "公共論壇",
                    "window_start": dt.date(year, 1, 1),
                    "window_end": dt.date(year, 12, 31),
                    "posts": rng.randrange(0, 700),
                    "replies": rng.randrange(0, 100),
                    "excluded": 0,
                    "batch_id": None,
                }
                tallies.append([values[f.attname] if f.attname in values else f.get_default() for f in tally_fields])
            _copy(cursor.cursor, ForumTally._meta.db_table, [f.column for f in tally_fields], tallies)
        print(f"built {key}: {len(ids)} staff, {len(ids) * per_person} records", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_eval")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="+", default=list(GOVERNMENTS), choices=list(GOVERNMENTS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fill(args.people, args.records, args.only)
        return
    seconds = ensure(args.db, args.people, args.records, args.only)
    print(f"{args.db}: {'reused' if not seconds else f'built in {seconds:.0f} s'}")


if __name__ == "__main__":
    main()
