"""Time `import_roster` on a generated roster (default 50,000 rows).

    .venv/bin/python bench/bench_roster.py [--rows 50000]

Uses the database DATABASE_URL names (SQLite by default: a throw-away file under
bench/out/). Prints rows per second for the import through the command, for the bare
parse with the same reader, and the number of queries the import ran.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def generate(rows: int) -> bytes:
    from portal import nationalid

    lines = ["身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別,輪班"]
    for n in range(rows):
        lines.append(
            f"{nationalid.make('C2', 2000000 + n)},人員{n},機關{n % 60},示範市政府,第{n % 9}科,科員,薦任,編制內,N"
        )
    return ("\n".join(lines) + "\n").encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if "DATABASE_URL" not in os.environ:
        db = OUT / "bench.sqlite3"
        db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.imports.readers import read_table
    from portal.models import Employee

    call_command("migrate", verbosity=0)
    Employee.objects.all().delete()
    data = generate(args.rows)
    path = OUT / "roster.csv"
    path.write_bytes(data)

    start = time.perf_counter()
    table = read_table(data, "roster.csv")
    parsed = sum(1 for _ in table.rows)
    parse_s = time.perf_counter() - start

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        call_command("import_roster", str(path), stdout=open(os.devnull, "w"))
        import_s = time.perf_counter() - start
    start = time.perf_counter()
    call_command("import_roster", str(path), stdout=open(os.devnull, "w"))
    again_s = time.perf_counter() - start

    print(f"database: {connection.vendor}, rows: {parsed}")
    print(f"bare parse:        {parsed / parse_s:>10,.0f} rows/s ({parse_s:.2f} s)")
    print(f"import_roster:     {args.rows / import_s:>10,.0f} rows/s ({import_s:.2f} s, {len(queries)} queries)")
    print(f"re-import (no-op): {args.rows / again_s:>10,.0f} rows/s ({again_s:.2f} s)")


if __name__ == "__main__":
    main()
