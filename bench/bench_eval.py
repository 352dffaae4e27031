"""Issue 20's figures, each beside its baseline from the same run (median of --repeat runs).

    bench/run [--scale 50k/1M|200k/4M] [--repeat 3] [--only PART …] [--load-seconds 30]

Parts:

- evaluation: `evaluate PLAN --json` for taoyuan-98 and kaohsiung-103 (a process each, output to
  /dev/null) against a bare `GROUP BY employee` over the same year's records in a process
  of its own (Django set up, the sums written one line per employee); the peak memory (max
  RSS) of each evaluate process. With `--scale 200k/4M` Kaohsiung also runs on that database.
- queries: the queries of each chunk of a streamed evaluation (constant: they do not grow
  with the employees, and the same for every chunk).
- workers: `evaluate kaohsiung-103 --json --workers` through 1 and then 2 Celery worker
  processes (one task at a time each) on Redis, the speed-up printed.
- pages: the employee page (`/incentives/me/`) and the log-in page under 50 concurrent users
  for `--load-seconds` each (gunicorn, 4 workers, loopback), median latency and requests/s.
- others: bench/bench_pages.py, bench/bench_documents.py and bench/bench_records.py, each
  run as it stands if the file is there.

The databases (bench/dataset.py) are built once and reused: portal_bench_eval (50k/1M) and
portal_bench_eval_200k (200k/4M). Everything printed is also written to bench/out/report.txt.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SCALES = {"50k/1M": (50_000, 1_000_000, "portal_bench_eval"), "200k/4M": (200_000, 4_000_000, "portal_bench_eval_200k")}
PLANS = {"taoyuan-98": 2009, "kaohsiung-103": 2014}
LINES: list[str] = []
COMPILE = """
import compileall, sysconfig
for where in ("portal", "programs", "courses", "incentives", "leave", sysconfig.get_path("purelib")):
    compileall.compile_dir(where, quiet=1, workers=0)
"""


def say(text: str = "") -> None:
    print(text, flush=True)
    LINES.append(text)


def env_for(db: str, **extra) -> dict:
    """The environment of a measured process: production's settings (DEBUG off, so Django
    keeps no log of every query) on the bench database; the baselines run in the same one."""
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_TODAY", "CELERY_BROKER_URL")}
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-" + "x" * 50,
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    env.update(extra)
    return env


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Run a process with its output to /dev/null: (seconds, its own peak RSS in MB)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink)
        _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


GROUP_BY = """
import os, sys
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT r.employee_id, SUM(r.hours), SUM(r.digital_hours) FROM courses_learningrecord r "
        "WHERE r.withdrawn_at IS NULL AND r.completed_on BETWEEN %s AND %s GROUP BY r.employee_id",
        [sys.argv[1] + "-01-01", sys.argv[1] + "-12-31"],
    )
    for row in cursor:
        sys.stdout.write(f"{row[0]}\\t{row[1]}\\t{row[2]}\\n")
"""


def evaluation(db: str, repeat: int, plans: dict) -> None:
    env = env_for(db)
    for slug, year in plans.items():
        # Taken in turns (ours, the baseline, ours, …), so a change in the machine's load
        # during the run weighs on both sides alike.
        runs = [
            (
                timed([PYTHON, "manage.py", "evaluate", slug, "--json"], env),
                timed([PYTHON, "-c", GROUP_BY, str(year)], env),
            )
            for _ in range(repeat)
        ]
        ours, bare = median([r[0] for r in runs]), median([r[1] for r in runs])
        say(
            f"evaluate {slug:<14} {ours[0]:6.2f} s   GROUP BY employee ({year}) {bare[0]:5.2f} s   "
            f"ratio {ours[0] / bare[0]:4.2f}× (target ≤ 2×)   peak memory {ours[1]:5.0f} MB (target < 500 MB; "
            f"GROUP BY process {bare[1]:.0f} MB)"
        )


QUERIES = """
import sys, json
import django
django.setup()
from django.db import connection
from incentives import evaluation
from programs.models import Plan

plan = Plan.objects.get(slug=sys.argv[1])
size = int(sys.argv[2])
count = [0]
def counter(execute, sql, params, many, context):
    count[0] += 1
    return execute(sql, params, many, context)
per_chunk, original = [], evaluation.evaluate
def evaluate(*args, **kwargs):
    before = count[0]
    found = original(*args, **kwargs)
    per_chunk.append((len(found), count[0] - before + 1))  # + the query that picked the chunk
    return found
evaluation.evaluate = evaluate
with connection.execute_wrapper(counter):
    people = sum(1 for _ in evaluation.evaluate_stream(plan, None, size))
print(json.dumps({"people": people, "total": count[0], "chunks": per_chunk}))
"""


def queries(db: str) -> None:
    # Every statement counted on Django's connection: none read ahead on the second one
    # (portal.prefetch), which would hide the next chunk's from the count.
    env = env_for(db, EVALUATION_PREFETCH="0")
    for slug in PLANS:
        for size in (2000, 5000):
            done = subprocess.run(
                [PYTHON, "-c", QUERIES, slug, str(size)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            counts = sorted({n for _people, n in figures["chunks"]})
            say(
                f"queries {slug:<14} chunks of {size}: {len(figures['chunks'])} chunks, "
                f"{'/'.join(map(str, counts))} queries per chunk, {figures['total']} in all for {figures['people']} people"
            )


def workers(db: str, repeat: int, redis_db: int) -> None:
    broker = f"redis://127.0.0.1:6379/{redis_db}"
    env = env_for(db, CELERY_BROKER_URL=broker)
    command = [PYTHON, "manage.py", "evaluate", "kaohsiung-103", "--json", "--workers"]
    results = {}
    for count in (1, 2):
        started = [
            subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "-c",
                    "1",
                    "-n",
                    f"bench{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "warning",
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(count)
        ]
        try:
            time.sleep(6)  # the workers connect to Redis
            results[count] = median([timed(command, env) for _ in range(repeat)])
        finally:
            for worker in started:
                worker.send_signal(signal.SIGTERM)
            for worker in started:
                worker.wait(timeout=60)
    say(
        f"evaluate kaohsiung-103 --workers: 1 worker {results[1][0]:.2f} s, 2 workers {results[2][0]:.2f} s, "
        f"speed-up {results[1][0] / results[2][0]:.2f}× (chunks of 2,000; the command's own peak memory "
        f"{max(results[1][1], results[2][1]):.0f} MB)"
    )


SESSIONS = """
import sys, json
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from portal.models import Employee, Role, User

keys = []
people = Employee.objects.filter(agency__government__name="高雄市政府").order_by("pk")[: int(sys.argv[1])]
for n, employee in enumerate(people):
    user = User.objects.filter(employee=employee).first() or User.objects.create_user(
        username=f"bench{employee.pk}", password=None, role=Role.EMPLOYEE, employee=employee
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print(json.dumps(keys))
"""


def load(url: str, cookies: list[str], seconds: float, users: int = 50) -> tuple[float, float, int, int]:
    """`users` threads asking for `url` in a loop for `seconds`: (median s, p90 s, requests, errors)."""
    latencies, errors, stop = [], [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def user(n: int) -> None:
        while time.perf_counter() < stop:
            request = urllib.request.Request(url)
            if cookies:
                request.add_header("Cookie", f"sessionid={cookies[n % len(cookies)]}")
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 (loopback)
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.9)], len(latencies), errors[0]


def cold(url: str, cookies: list[str], concurrent: bool) -> tuple[float, float]:
    """One request for each session's page (each a cache miss): (median s, p90 s), the 50
    at once or one after another."""
    latencies, lock = [], threading.Lock()

    def one(cookie: str) -> None:
        request = urllib.request.Request(url)
        request.add_header("Cookie", f"sessionid={cookie}")
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 (loopback)
            response.read()
        with lock:
            latencies.append(time.perf_counter() - start)

    if concurrent:
        threads = [threading.Thread(target=one, args=(c,)) for c in cookies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for cookie in cookies:
            one(cookie)
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.9)]


def pages(db: str, seconds: float, redis_db: int, repeat: int) -> None:
    """The employee page and the log-in page under 50 users on gunicorn (4 workers), with the
    page cache in Redis (portal.pagecache): first each person's page uncached, one after
    another and then all 50 at once (misses), then the `seconds` loads (cached pages), the
    employee page's and the log-in page's one after the other, `repeat` times: the ratio of
    each pair and their median (the machine's load drifts between runs)."""
    env = env_for(
        db,
        CACHE_URL=f"redis://127.0.0.1:6379/{redis_db}",
        EMPLOYEE_PAGE_CACHE="on",
    )
    done = subprocess.run([PYTHON, "-c", SESSIONS, "50"], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    cookies = json.loads(done.stdout.strip().splitlines()[-1])
    # As in production (DEBUG off): whitenoise serves the collected, hashed static files.
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "portal.wsgi", "-w", "4", "-b", "127.0.0.1:8765", "--timeout", "60"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = "http://127.0.0.1:8765/incentives/me/"
    clear = [PYTHON, "manage.py", "clear_page_cache"]
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen("http://127.0.0.1:8765/accounts/login/", timeout=5).read()  # nosec B310
                break
            except Exception:
                time.sleep(1)
        subprocess.run(clear, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        one_by_one = cold(url, cookies, concurrent=False)
        subprocess.run(clear, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        at_once = cold(url, cookies, concurrent=True)
        pairs = [
            (load(url, cookies, seconds), load("http://127.0.0.1:8765/accounts/login/", [], seconds))
            for _ in range(repeat)
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    say(
        f"employee page, cache misses: one user at a time median {one_by_one[0] * 1000:.0f} ms "
        f"(p90 {one_by_one[1] * 1000:.0f} ms); 50 at once median {at_once[0] * 1000:.0f} ms "
        f"(p90 {at_once[1] * 1000:.0f} ms)"
    )
    for mine, login in pairs:
        say(
            f"employee page, 50 users, {seconds:.0f} s (cached): median {mine[0] * 1000:.1f} ms, "
            f"p90 {mine[1] * 1000:.1f} ms, {mine[2] / seconds:.1f} req/s, {mine[3]} errors"
        )
        say(
            f"log-in page,   50 users, {seconds:.0f} s: median {login[0] * 1000:.1f} ms, "
            f"p90 {login[1] * 1000:.1f} ms, {login[2] / seconds:.1f} req/s, {login[3]} errors"
        )
    ratios = [mine[0] / login[0] for mine, login in pairs]
    say(
        f"employee page median / log-in page median: {statistics.median(ratios):.2f}× "
        f"(median of {', '.join(f'{r:.2f}' for r in ratios)}; target ≤ 3×)"
    )


def others() -> None:
    for name in ("bench_pages.py", "bench_documents.py", "bench_records.py"):
        script = ROOT / "bench" / name
        if not script.exists():
            continue
        say(f"--- bench/{name}")
        done = subprocess.run(
            [PYTHON, str(script)], cwd=ROOT, capture_output=True, text=True, env={**os.environ}, check=False
        )
        for line in done.stdout.splitlines():
            say(line)
        if done.returncode:
            say(f"bench/{name} exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Issue 20's figures with their baselines")
    parser.add_argument("--scale", choices=list(SCALES), action="append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--db", help="use this database as it is (no build): a quick try on a small one")
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("BENCH_REDIS_DB", 3)))
    parser.add_argument(
        "--only", nargs="+", choices=["evaluation", "queries", "workers", "pages", "others"], default=None
    )
    args = parser.parse_args()
    # Every process below is timed from its start, imports included. A deployment runs with
    # compiled bytecode; where the environment says not to write it (PYTHONDONTWRITEBYTECODE,
    # as on this machine) each start would compile the portal and its libraries again.
    subprocess.run([PYTHON, "-c", COMPILE], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    parts = set(args.only or ["evaluation", "queries", "workers", "pages", "others"])
    OUT.mkdir(parents=True, exist_ok=True)
    scales = args.scale or ["50k/1M"]
    if "50k/1M" not in scales:
        scales.insert(0, "50k/1M")
    say(
        f"bench/run — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, median of {args.repeat}"
    )
    for scale in scales:
        people, records, db = SCALES[scale]
        only = ["kaohsiung", "taoyuan"] if scale == "50k/1M" else ["kaohsiung"]
        start = time.perf_counter()
        if args.db:
            db = args.db
        else:
            subprocess.run(
                [
                    PYTHON,
                    "bench/dataset.py",
                    "--db",
                    db,
                    "--people",
                    str(people),
                    "--records",
                    str(records),
                    "--only",
                    *only,
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        say(
            f"== {scale}: {db} ({people:,} staff and {records:,} records per government; ready in {time.perf_counter() - start:.0f} s)"
        )
        if "evaluation" in parts:
            evaluation(db, args.repeat, PLANS if scale == "50k/1M" else {"kaohsiung-103": 2014})
        if scale != "50k/1M":
            continue
        if "queries" in parts:
            queries(db)
        if "workers" in parts:
            workers(db, args.repeat, args.redis_db)
        if "pages" in parts:
            pages(db, args.load_seconds, args.redis_db, args.repeat)
    if "others" in parts:
        others()
    (OUT / "report.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
