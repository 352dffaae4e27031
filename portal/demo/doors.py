"""The doors the demo comes in through: the commands HR and the scheduler run, and the pages
a person uses, each on the day the person acts.

A step that did not do what it should stops the demo with `DemoStepFailed`, naming the step
and what the page or the command said; the whole demo is one transaction, so nothing of a
half-built demo stays behind.
"""

import contextlib
import csv
import datetime as dt
import io
import logging
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages as message_levels
from django.contrib.admin.widgets import ManyToManyRawIdWidget
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.forms import MultiWidget
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse


class DemoStepFailed(RuntimeError):
    """A demo step did not do what it should (a refused form, an error message, a rejected file)."""


@contextlib.contextmanager
def on(day: dt.date):
    """Everything inside happens as on `day`: pages, commands and the grant run read `portal.clock.today()`."""
    with override_settings(PORTAL_TODAY=day.isoformat()):
        yield


@contextlib.contextmanager
def in_process():
    """Demo imports and the grant runs after them happen here and now, whatever broker is
    configured, without a log line each."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    loggers = [logging.getLogger(name) for name in ("portal.services", "celery.app.trace")]
    levels = [logger.level for logger in loggers]
    app.conf.task_always_eager = True
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


@contextlib.contextmanager
def pages_observed():
    """Let the test client see what each page showed (its context: messages, forms, outcomes),
    as Django's test runner does; outside the test runner templates do not report it."""
    from django.template import Template
    from django.test.utils import instrumented_test_render

    original = Template._render
    if original is not instrumented_test_render:
        Template._render = instrumented_test_render
    try:
        yield
    finally:
        Template._render = original


class Files:
    """The CSV files HR would download from the other systems, written to a temporary directory."""

    def __init__(self, directory: Path):
        self.directory = directory

    def write(self, name: str, header: list[str], rows: list[list]) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        path = self.directory / name
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path


def command(name: str, *args, **options) -> str:
    """Run a management command as an operator would; a rejected file or wrong usage stops the demo."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *[str(a) for a in args], stdout=out, stderr=err, **options)
    except SystemExit as exit_:
        raise DemoStepFailed(
            f"{name} {' '.join(map(str, args))} 結束碼 {exit_.code}：{err.getvalue().strip()}"
        ) from None
    return out.getvalue()


def balances(plan_slug: str, as_of: dt.date) -> dict[str, float]:
    """Each person's leave balance under a plan as of a day, read off `leave_ledger --json` as HR would."""
    import json

    ledger = json.loads(command("leave_ledger", "--plan", plan_slug, "--as-of", as_of.isoformat(), "--json"))
    return {person["national_id"]: person["balance"] for person in ledger["people"]}


def import_file(files: Files, name: str, file_name: str, header: list[str], rows: list[list], *targets) -> str:
    """HR imports a file with `manage.py <name> [targets…] FILE`."""
    return command(name, *targets, files.write(file_name, header, rows))


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host not in ("*", "") and not host.startswith("."):
            return host.strip("[]") if host == "[::1]" else host
    return "localhost"


class Person:
    """A signed-in person in front of the portal's pages."""

    def __init__(self, user):
        self.user = user
        self.client = Client(raise_request_exception=True, HTTP_HOST=_host())
        self.client.force_login(user)

    def __str__(self):
        return self.user.username

    def get(self, url: str, data=None):
        response = self.client.get(url, data or {}, secure=True)
        if response.status_code != 200:
            raise DemoStepFailed(f"{self} 開啟 {url}：HTTP {response.status_code}")
        return response

    def post(self, url: str, data: dict, *, step: str, expect: str | None = None):
        """Send a form; the page must take it (a redirect, or the page again without a form
        error) and say nothing amiss, with `expect` among its messages when given. The page
        the redirect leads to is not opened: the messages are read off the request."""
        self.client.cookies.pop("messages", None)  # nothing left over from an earlier page
        response = self.client.post(url, data, secure=True)
        if response.status_code not in (200, 302):
            raise DemoStepFailed(f"{step}（{self}）：HTTP {response.status_code}")
        said = [(m.level, str(m)) for m in get_messages(response.wsgi_request)]
        errors = [text for level, text in said if level >= message_levels.WARNING]
        errors += _form_errors(response)
        if errors:
            raise DemoStepFailed(f"{step}（{self}）：{'；'.join(errors)}")
        if expect is not None and not any(expect in text for _level, text in said):
            raise DemoStepFailed(
                f"{step}（{self}）：頁面未顯示「{expect}」（顯示：{'；'.join(t for _l, t in said) or '無'}）"
            )
        return response

    # -- the admin -------------------------------------------------------------------------

    def admin_add(self, model: str, data: dict, *, step: str) -> int:
        """Fill in an admin add page; answers the new object's id."""
        url = reverse(f"admin:{model.lower().replace('.', '_')}_add")
        response = self.post(url, data, step=step)
        if response.status_code != 302:
            raise DemoStepFailed(f"{step}（{self}）：新增頁未儲存")
        match = re.search(r"/(\d+)/change/", response.url)
        if match is None:
            # After "save" the admin goes to the list; the newest object is the one just added.
            from django.apps import apps

            return apps.get_model(model).objects.latest("pk").pk
        return int(match.group(1))

    def admin_change(self, model: str, pk: int, changes: dict, *, step: str) -> None:
        """Open an object's admin change page, change some fields and save it."""
        url = reverse(f"admin:{model.lower().replace('.', '_')}_change", args=[pk])
        form = self.get(url).context["adminform"].form
        data = {**form_data(form), **changes, "_save": "儲存"}
        if self.post(url, data, step=step).status_code != 302:
            raise DemoStepFailed(f"{step}（{self}）：修改頁未儲存")

    def admin_action(self, model: str, action: str, pks: list[int], *, step: str, expect: str | None = None):
        """Tick objects in an admin list and run one of its actions."""
        if not pks:
            raise DemoStepFailed(f"{step}（{self}）：沒有可勾選的項目")
        url = reverse(f"admin:{model.lower().replace('.', '_')}_changelist")
        return self.post(
            url, {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"}, step=step, expect=expect
        )


def _form_errors(response) -> list[str]:
    """Errors a page shows on a form it sent back (the admin's, or a view's)."""
    errors = []
    context = response.context
    if not context:
        return errors
    for key in ("adminform", "form"):
        try:
            form = context[key]
        except KeyError:
            continue
        form = getattr(form, "form", form)
        if getattr(form, "is_bound", False) and form.errors:
            errors += [f"{field}: {'；'.join(map(str, messages))}" for field, messages in form.errors.items()]
        break
    return errors


def form_data(form) -> dict:
    """What an unchanged form sends back: each field's shown value, as the browser would post it."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, MultiWidget):
            parts = value if isinstance(value, (list, tuple)) else field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            # The admin's raw-id box for many objects holds their ids separated by commas.
            raw_ids = isinstance(field.widget, ManyToManyRawIdWidget) or isinstance(
                getattr(field.widget, "widget", None), ManyToManyRawIdWidget
            )
            data[bound.html_name] = ",".join(map(str, value)) if raw_ids else [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data
