import os
import subprocess
import sys
import time
import uuid

import pytest

from portal.celery import app as celery_app
from tests.figures import FIGURES


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Passwords hashed with MD5 in tests: PBKDF2's million rounds cost a quarter second per
    set_password or log-in, and the demo, createsuperuser and the lockout tests do dozens.
    What is tested (which password is accepted, lockouts, changes) does not depend on the hasher;
    production keeps Django's default hashers (settings.py names none)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, media_root):
    settings.MEDIA_ROOT = media_root


@pytest.fixture(autouse=True)
def _chinese_unless_asked():
    """Every test starts in the portal's language: a request an earlier test made in English
    leaves English active in the thread (messages built outside a request would follow it)."""
    from django.utils import translation

    translation.activate("zh-hant")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process, except in tests marked `worker`, which use a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    celery_app.conf.task_always_eager = previous


def _database_url(settings_dict) -> str:
    if "postgresql" not in settings_dict["ENGINE"]:
        pytest.fail(
            "A real Celery worker shares the test database: run these tests on PostgreSQL "
            "(DATABASE_URL=postgres://…), as .ci/run does."
        )
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def start_worker(media_root, log_path, queue: str = "celery"):
    """A real `celery worker` process on the Redis broker, sharing the test database.

    `queue` lets a test own its worker: the session's shared worker stays on the default queue.
    """
    (process,) = start_workers(media_root, [log_path], queue)
    return process


def start_workers(media_root, log_paths, queue: str = "celery") -> list:
    """One real worker per log path, all started at once and each waited for until it answers a ping."""
    from django.db import connection

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.fail("Tests marked 'worker' need CELERY_BROKER_URL=redis://… (see README).")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "CELERY_BROKER_URL": broker,
    }
    started = []
    for log_path in log_paths:
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "-P",
                    "solo",
                    "-n",
                    name,
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    queue,
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process.log_path = log_path
        started.append((process, name))
    deadline = time.monotonic() + 60
    for process, name in started:
        while not celery_app.control.ping(
            destination=[name.replace("%h", __import__("socket").gethostname())], timeout=0.5
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                for other, _name in started:
                    other.kill()
                pytest.fail(f"The Celery worker did not start:\n{process.log_path.read_text()[-3000:]}")
    return [process for process, _name in started]


def stop_worker(*processes) -> None:
    """Stop the workers: all asked at once, then each waited for."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, media_root, tmp_path_factory):
    celery_app.control.purge()
    process = start_worker(media_root, tmp_path_factory.mktemp("worker") / "worker.log")
    yield process
    stop_worker(process)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (Playwright may not download its own browsers here)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


def pytest_terminal_summary(terminalreporter):
    """The access-control and fuzzing figures, shown even though their tests passed quietly."""
    if FIGURES:
        terminalreporter.section("security figures")
        for line in FIGURES.values():
            terminalreporter.write_line(line)
