"""Backups (README, "Backups"): a real pg_dump restored by pg_restore into a fresh database
gives the same evaluate output and the same rows as the database it was taken from."""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

# Committed data (transaction=True): pg_dump runs in its own session and sees only that.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
EVALUATIONS = [["kaohsiung-103"], ["rad-104"]]
# The demo (portal/demo/): what the restored database must still say.
EXPECTED = {
    "kaohsiung": ("kaohsiung-103", "2014-12-31", 276),
    "commended people": 137,
    "commendations": 202,
    "leave hours": Decimal("1360.0"),
    "rad": ("rad-104", "2015-12-31", 360),
    "portal_employee": 360,
    "courses_learningrecord": 6333,
    "incentives_decision": 180,
    "leave_entry": 197,
}


def libpq_env(settings_dict) -> dict:
    if "postgresql" not in settings_dict["ENGINE"]:
        pytest.fail(
            "The backup test dumps and restores with pg_dump: run it on PostgreSQL (DATABASE_URL=postgres://…)."
        )
    env = {
        **os.environ,
        "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
        "PGPORT": str(settings_dict.get("PORT") or 5432),
        "PGUSER": settings_dict.get("USER") or "postgres",
    }
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def evaluate_json(env: dict, database: str, args: list[str]) -> dict:
    """`manage.py evaluate … --json` in its own process, as an operator runs it after a restore."""
    url = f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{database}"
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "DATABASE_URL": url},
    )
    assert (done.returncode, done.stderr) == (0, "")
    return json.loads(done.stdout)


def row_counts(env: dict, database: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname=database, password=env.get("PGPASSWORD")
    ) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_restored_dump_evaluates_exactly_like_the_original(tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    env = libpq_env(connection.settings_dict)
    original = connection.settings_dict["NAME"]
    before = {" ".join(args): evaluate_json(env, original, args) for args in EVALUATIONS}

    dump = tmp_path / "portal.dump"
    restored = f"{original}_restored_{uuid.uuid4().hex[:8]}"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), original], env=env, check=True, timeout=300)
    subprocess.run(["createdb", restored], env=env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--exit-on-error", "--no-owner", "-d", restored, str(dump)], env=env, check=True, timeout=300
        )
        after = {" ".join(args): evaluate_json(env, restored, args) for args in EVALUATIONS}
        tables = connection.introspection.table_names()
        counts = row_counts(env, original, tables), row_counts(env, restored, tables)
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=env, check=True, timeout=60)

    assert after == before
    assert counts[1] == counts[0]
    # Not an empty comparison: the demo's year under Kaohsiung's 103 plan awards people.
    kaohsiung, rad = before["kaohsiung-103"], before["rad-104"]
    figures = {
        "kaohsiung": (kaohsiung["plan"], kaohsiung["as_of"], len(kaohsiung["people"])),
        "commended people": len([p for p in kaohsiung["people"] if p["awards"]["commendation"]]),
        "commendations": sum(p["awards"]["commendation"] for p in kaohsiung["people"]),
        "leave hours": sum(Decimal(str(p["leave_hours"])) for p in kaohsiung["people"]),
        "rad": (rad["plan"], rad["as_of"], len(rad["people"])),
        **{
            t: counts[0][t] for t in ("portal_employee", "courses_learningrecord", "incentives_decision", "leave_entry")
        },
    }
    assert figures == EXPECTED
