"""Benchmark `import_records` against the bare parse and django-import-export.

    .venv/bin/python bench/bench_records.py [--rows 200000] [--people 20000] [--format csv|xlsx|both] [--repeat 3]

Generates a realistic lifelong-learning portal export (CSV and XLSX) for a roster, then
reports in one run: rows/s of `import_records` through the command, rows/s of the bare
parse of the same file with the same reader (each the median of --repeat runs), and rows/s of django-import-export with a
plain ModelResource on a 20,000-row slice. It also times the database floor: the database
writing the same rows table to table, which no import of the file can beat. DATABASE_URL
chooses the database (default: a throw-away SQLite file under bench/out/). The parse and each import run in a process of
their own, whose peak memory (max RSS) is printed for the full file and a quarter of it:
the import streams, so the two stay close.

    .venv/bin/python bench/bench_records.py --flat [--flat-rows 100000,1000000] [--people 50000]

(issue 20, "Large imports") imports a CSV export of each size through the upload page (the
multipart body streamed from disk into Django's handler, as a browser's upload arrives: the
file goes to a temporary file, never into memory) and through `import_records`, each in a
process of its own, and prints each one's time and peak RSS, and the 1M/100k memory ratio
(target: within 20 %).
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

HEADER = [
    "身分證字號",
    "姓名",
    "課程名稱",
    "學習起日",
    "學習迄日",
    "學習時數",
    "數位時數",
    "學習性質",
    "課程類別",
    "開課機關",
]
COURSES = [
    f"{topic}（第{n}講）"
    for topic in ("公務倫理", "性別主流化", "資訊安全", "環境教育", "行政中立", "心理健康")
    for n in range(1, 60)
]
CATEGORIES = ["公務倫理類", "性別主流類", "資訊安全類", "環境教育類", "行政中立類", "心理健康類"]


def generate_rows(rows: int, people: list[str]):
    rng = random.Random(42)
    for n in range(rows):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        hours = rng.choice(["1", "1.5", "2", "3", "0.5"])
        yield [
            people[n % len(people)],
            f"人員{n % len(people)}",
            COURSES[(n % len(people) + n // len(people)) % len(COURSES)],
            f"103{month:02d}{day:02d}",
            f"103/{month:02d}/{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            hours,
            hours,
            "數位",
            rng.choice(CATEGORIES),
            "e學中心",
        ]


def write_files(rows: int, people: list[str]) -> tuple[Path, Path]:
    import csv

    import openpyxl

    csv_path, xlsx_path = OUT / f"records-{rows}.csv", OUT / f"records-{rows}.xlsx"
    if not csv_path.exists():
        with open(csv_path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(generate_rows(rows, people))
    if not xlsx_path.exists():
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        for row in generate_rows(rows, people):
            sheet.append(row)
        workbook.save(xlsx_path)
    return csv_path, xlsx_path


def bare_parse(path: Path) -> float:
    from portal.imports.readers import read_table

    start = time.perf_counter()
    with path.open("rb") as handle:  # as the import reads it: from the file, in place
        table = read_table(handle, path.name)
        for _ in table.rows:
            pass
    return time.perf_counter() - start


def through_command(path: Path) -> float:
    from django.core.management import call_command

    from courses.models import LearningRecord

    start = time.perf_counter()
    call_command("import_records", str(path), stdout=open(os.devnull, "w"))
    elapsed = time.perf_counter() - start
    assert LearningRecord.objects.count() > 0
    return elapsed


def in_child(step: str, path: Path) -> tuple[float, float]:
    """Run one step in a fresh process: (seconds, that process's peak RSS in MB).

    A process of its own keeps the parse, the import and the data generation from
    sharing one peak-memory figure.
    """
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path)],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["seconds"], figures["rss_mb"]


def median_of(runs: int, step: str, path: Path) -> tuple[float, float]:
    """The median time of `runs` runs of a step, and the largest peak memory: a shared
    virtual machine's speed drifts by a fifth from one minute to the next."""
    results = [in_child(step, path) for _ in range(max(runs, 1))]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def child(step: str, path: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from courses.models import LearningRecord

    if step in ("page", "command"):
        clear_records()
        vacuum()
        seconds = through_page(path) if step == "page" else through_command(path)
    elif step == "parse":
        seconds = bare_parse(path)
    elif step == "floor":
        seconds = database_floor()
    else:
        if step == "import":
            from django.db import connection

            # In SQL: the ORM's delete would load every record and inflate this process's peak.
            # TRUNCATE on PostgreSQL: a DELETE leaves dead rows for the vacuum to clear.
            table = LearningRecord._meta.db_table
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(f"TRUNCATE {table} CASCADE")
                else:
                    cursor.execute(f"DELETE FROM {table}")
        vacuum()
        seconds = through_command(path)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss}))


def clear_records() -> None:
    """An empty records table, in SQL (the ORM's delete would load every record)."""
    from django.db import connection

    from courses.models import LearningRecord

    table = LearningRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE" if connection.vendor == "postgresql" else f"DELETE FROM {table}")


def through_page(path: Path) -> float:
    """HR uploads the file on /imports/new/: the multipart body is written to a temporary file
    and handed to Django's request handler as its input stream, so neither side holds it."""
    import tempfile
    import uuid

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.client import ClientHandler

    from courses.models import LearningRecord
    from portal.models import ImportBatch, Role

    user, _created = get_user_model().objects.get_or_create(
        username="bench-hr", defaults={"role": Role.HR, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    boundary = uuid.uuid4().hex
    with tempfile.TemporaryFile() as body:
        body.write(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nrecords\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
        )
        with path.open("rb") as source:
            while piece := source.read(1 << 20):
                body.write(piece)
        body.write(f"\r\n--{boundary}--\r\n".encode())
        length = body.tell()
        body.seek(0)
        environ = client._base_environ(
            PATH_INFO="/imports/new/",
            REQUEST_METHOD="POST",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(length),
        )
        environ["wsgi.input"] = body
        environ["SERVER_NAME"] = environ["HTTP_HOST"] = "localhost"  # DJANGO_ALLOWED_HOSTS' default
        environ["HTTP_COOKIE"] = client.cookies.output(header="", sep="; ").strip()
        start = time.perf_counter()
        response = ClientHandler(enforce_csrf_checks=False)(environ)
        elapsed = time.perf_counter() - start
    batch = ImportBatch.objects.order_by("-pk").first()
    assert response.status_code == 302 and batch.status == "applied", (response.status_code, batch.status)
    assert LearningRecord.objects.count() > 0
    return elapsed


def flat(args) -> None:
    """Peak memory of a CSV import at each size, through the page and the command (issue 20)."""
    sizes = [int(n) for n in args.flat_rows.split(",")]
    people = setup_roster(args.people)
    from django.db import connection

    print(f"database: {connection.vendor}; CSV through the upload page and import_records; {args.people:,} people")
    connection.close()
    peaks: dict[str, dict[int, float]] = {"page": {}, "command": {}}
    for rows in sizes:
        path = write_csv(rows, people)
        for step in ("page", "command"):
            seconds, rss = median_of(args.repeat, step, path)
            peaks[step][rows] = rss
            print(
                f"{step:>7}, {rows:>9,} rows ({path.stat().st_size / 1e6:,.0f} MB): {seconds:7.2f} s, "
                f"{rows / seconds:>8,.0f} rows/s, peak RSS {rss:,.0f} MB"
            )
    low, high = min(sizes), max(sizes)
    for step, figures in peaks.items():
        print(
            f"{step:>7}: peak RSS {figures[high]:,.0f} MB at {high:,} rows against {figures[low]:,.0f} MB at "
            f"{low:,}: {figures[high] / figures[low]:.2f}× (target within 1.20×)"
        )


def setup_roster(count: int) -> list[str]:
    """Migrate and import a roster of `count` people (once: kept when the database has them)."""
    import django

    django.setup()
    from django.core.management import call_command

    from portal import nationalid
    from portal.models import Employee
    from portal.services import submit_import

    call_command("migrate", verbosity=0)
    people = [nationalid.make("D1", 5000000 + n) for n in range(count)]
    if Employee.objects.count() < count:
        roster = "身分證字號,姓名,機關名稱,上級機關,單位,人員類別\n" + "".join(
            f"{nid},人員{n},機關{n % 50},測試市政府,第{n % 8}科,編制內\n" for n, nid in enumerate(people)
        )
        submit_import("roster", "roster.csv", roster.encode())
    return people


def write_csv(rows: int, people: list[str]) -> Path:
    import csv

    path = OUT / f"records-{rows}-{len(people)}.csv"
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(generate_rows(rows, people))
    return path


def database_floor() -> float:
    """Seconds the database takes to write the imported rows again, table to table, into an
    empty table shaped like theirs (columns, indexes, foreign keys): no file, no Python, no
    network. No importer can write these rows faster, so this bounds what an import can cost.
    """
    from django.db import connection, transaction

    from courses.models import LearningRecord

    table = LearningRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE bench_floor (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE bench_floor ADD {definition}")
        else:
            cursor.execute(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL ORDER BY type = 'index'",
                [table],
            )
            for kind, sql in cursor.fetchall():
                cursor.execute(
                    sql.replace(f'"{table}"', '"bench_floor"', 1)
                    if kind == "table"
                    else sql.replace('INDEX "', 'INDEX "floor_', 1).replace(f'"{table}"', '"bench_floor"')
                )
    vacuum()
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked within the timing
        cursor.execute(f"INSERT INTO bench_floor SELECT * FROM {table}")
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def vacuum() -> None:
    """Leave no work for autovacuum: begun by an earlier step, it would run on the second
    CPU during the timed one."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def import_export_rate(path: Path, rows: int) -> float:
    """django-import-export, defaults, plain ModelResource on the first `rows` rows."""
    import tablib
    from import_export import resources

    from courses.models import LearningRecord
    from portal.models import Employee

    ids = dict(Employee.objects.values_list("national_id", "id"))

    class Plain(resources.ModelResource):
        class Meta:
            model = LearningRecord
            fields = [
                "id",
                "employee",
                "course_name",
                "course_key",
                "completed_on",
                "hours",
                "digital_hours",
                "provider",
            ]

    dataset = tablib.Dataset(
        headers=["employee", "course_name", "course_key", "completed_on", "hours", "digital_hours", "provider"]
    )
    for row in list(generate_rows(rows, list(ids)))[:rows]:
        dataset.append([ids[row[0]], row[2], row[2], "2014-" + row[4][4:9].replace("/", "-"), row[5], row[6], "die"])
    LearningRecord.objects.filter(provider="die").delete()
    start = time.perf_counter()
    result = Plain().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors()
    return rows / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--die-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the parse and the import; the median is shown")
    parser.add_argument("--flat", action="store_true", help="peak memory of CSV imports by size (issue 20)")
    parser.add_argument("--flat-rows", default="100000,1000000")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        db = OUT / "bench-records.sqlite3"
        if not args.flat:
            db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if args.flat:
        flat(args)
        return
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from portal import nationalid
    from portal.services import submit_import

    call_command("migrate", verbosity=0)
    people = [nationalid.make("D1", 5000000 + n) for n in range(args.people)]
    roster = "身分證字號,姓名,機關名稱,上級機關,單位,人員類別\n" + "".join(
        f"{nid},人員{n},機關{n % 50},測試市政府,第{n % 8}科,編制內\n" for n, nid in enumerate(people)
    )
    submit_import("roster", "roster.csv", roster.encode())
    csv_path, xlsx_path = write_files(args.rows, people)
    quarter = write_files(args.rows // 4, people)
    connection.close()
    print(
        f"database: {connection.vendor}; {args.rows:,} records for {args.people:,} people; "
        f"each step in a process of its own"
    )
    formats = {"csv": [0], "xlsx": [1], "both": [0, 1]}[args.format]
    for index in formats:
        path = (csv_path, xlsx_path)[index]
        parse_s, parse_mb = median_of(args.repeat, "parse", path)
        import_s, import_mb = median_of(args.repeat, "import", path)
        again_s, _again_mb = in_child("reimport", path)
        floor_s, _floor_mb = in_child("floor", path)
        _small_s, small_mb = in_child("import", quarter[index])
        print(
            f"{path.suffix[1:]:>4}: bare parse {args.rows / parse_s:>9,.0f} rows/s ({parse_s:6.2f} s, {parse_mb:,.0f} MB); "
            f"import_records {args.rows / import_s:>8,.0f} rows/s ({import_s:6.2f} s); "
            f"ratio {import_s / parse_s:4.1f}×; same file again {again_s:5.2f} s; "
            f"peak RSS {import_mb:,.0f} MB ({small_mb:,.0f} MB for {args.rows // 4:,} rows)"
        )
        print(
            f"      database floor (the same rows written table to table, indexes kept): {floor_s:.2f} s, "
            f"{floor_s / parse_s:.1f}× the bare parse"
        )
    die = import_export_rate(csv_path, args.die_rows)
    print(f"django-import-export, defaults, {args.die_rows:,} rows: {die:,.0f} rows/s")


if __name__ == "__main__":
    main()
