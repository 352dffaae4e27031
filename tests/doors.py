"""Driving the portal as people do: accounts made by HR in the admin, imports through the
commands, pages through the test client, each on the day the person acts.

For workflow tests that must reach every state through the portal's own doors (issue #13):
nothing here calls a service function.
"""

import contextlib
import datetime as dt
import io
import re

from django.core.management import call_command
from django.test import Client

from portal.demo.doors import command, form_data
from portal.demo.doors import on as demo_on
from portal.demo.people import environment
from portal.models import User

DEMO_PASSWORD = "Portal-test-2012"  # nosec B105: a test account's password


@contextlib.contextmanager
def on(day: str):
    """The portal as on an ISO date (`PORTAL_TODAY`, portal/clock.py)."""
    with demo_on(dt.date.fromisoformat(day)):
        yield


def import_file(tmp_path, command_name: str, file_name: str, data: bytes, *args) -> str:
    """`manage.py <import command> [args] FILE`; fails the test on a rejected file."""
    path = tmp_path / file_name
    path.write_bytes(data)
    return command(command_name, *args, str(path))


def first_hr(username: str = "hr") -> Client:
    """`createsuperuser --noinput`, the first HR officer's account, signed in."""
    with environment(
        DJANGO_SUPERUSER_PASSWORD=DEMO_PASSWORD,
        DJANGO_SUPERUSER_USERNAME=username,
        DJANGO_SUPERUSER_EMAIL=f"{username}@example.gov.tw",
    ):
        call_command("createsuperuser", "--noinput", stdout=io.StringIO())
    return signed_in(username)


def signed_in(username: str) -> Client:
    """A browser session of the account, signed in through the log-in page."""
    client = Client(raise_request_exception=True)
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def add_account(
    hr: Client, username: str, role: str, *, employee=None, agencies=(), headed_units=(), full_name: str = ""
) -> Client:
    """HR adds an account in the admin (add page, then the change page for its role and scope)."""
    response = hr.post(
        "/admin/portal/user/add/",
        {
            "username": username,
            "password1": DEMO_PASSWORD,
            "password2": DEMO_PASSWORD,
            "usable_password": "true",
            "role": role,
        },
    )
    assert response.status_code == 302, _errors(response)
    user = User.objects.get(username=username)
    page = hr.get(f"/admin/portal/user/{user.pk}/change/")
    data = form_data(page.context["adminform"].form)
    data.update(
        {
            "first_name": full_name,
            "role": role,
            "employee": employee.pk if employee else "",
            "agencies": [a.pk for a in agencies],
            "headed_units": [u.pk for u in headed_units],
            "is_staff": "on" if role == "hr" else "",
            "is_active": "on",
        }
    )
    response = hr.post(
        f"/admin/portal/user/{user.pk}/change/", {k: v for k, v in data.items() if v not in (None, "", [])}
    )
    assert response.status_code == 302, _errors(response)
    hr.get(response.url)  # the admin's list shows (and so clears) its messages
    return signed_in(username)


def _errors(response) -> str:
    text = response.content.decode()
    return "; ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S))[:2000] or str(
        response.status_code
    )


def messages_of(response) -> list[str]:
    """The messages a page showed after a POST that was followed."""
    return [str(m) for m in response.context["messages"]] if response.context and "messages" in response.context else []
