import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from portal.models import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path):
    # The browser tests allow the ORM beside Playwright's event loop; production never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 30,
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.tw",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr.strip()) == (0, "")
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client):
    page = client.get(reverse("login"))
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert (
        page.headers["X-Frame-Options"],
        page.headers["X-Content-Type-Options"],
        page.headers["Referrer-Policy"],
    ) == ("DENY", "nosniff", "same-origin")


@pytest.mark.django_db
def test_log_in_is_throttled_after_5_failures(client):
    user = UserFactory(username="hr1", role=Role.HR)
    user.set_password("a-correct-password-1")
    user.save()
    statuses = [client.post(reverse("login"), {"username": "hr1", "password": "wrong"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the account out
    locked = client.post(reverse("login"), {"username": "hr1", "password": "a-correct-password-1"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_forms_are_csrf_protected():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("login"), {"username": "a", "password": "b"}).status_code == 403


def test_django_password_validators_refuse_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as weak:
        validate_password("12345678")
    assert [e.code for e in weak.value.error_list] == ["password_too_common", "password_entirely_numeric"]
    with translation.override("en"), pytest.raises(ValidationError) as short:
        validate_password("k3#Zq")
    assert [e.code for e in short.value.error_list] == ["password_too_short"]
    assert validate_password("a-correct-password-1") is None
