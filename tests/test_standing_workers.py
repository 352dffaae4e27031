"""Issue 20: with a broker, an applied import queues the stored standings' refresh
(`incentives.refresh_standings`), a real Celery worker on Redis runs it, and the staff page then
shows the new standing, for a plan too large for the page to refresh itself."""

import time

import pytest
from django.core.management import call_command

from incentives.models import StandingRefresh
from tests.test_standing_pages import add_staff, setting, staff_url  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_an_import_is_followed_by_a_refresh_in_a_real_worker(
    celery_worker_process,
    setting,  # noqa: F811 (the fixture)
    client,
    settings,
    tmp_path,
):
    settings.STANDING_REFRESH_IN_REQUEST = 2  # the plan covers 3 people: its refresh is the worker's job
    plan = setting["plan"]
    person, already, _ = add_staff(setting, [10, 250, 30])
    call_command("refresh_standings", plan.slug)
    client.force_login(setting["coordinator"])
    assert client.get(staff_url(plan, status="met")).context["count"] == 1
    before = StandingRefresh.objects.get(plan=plan)
    tally = tmp_path / "forum.csv"
    tally.write_text(
        "身分證字號,姓名,論壇名稱,統計起日,統計迄日,發表篇數,回應篇數\n"
        f"{person.national_id},{person.name},市民論壇,101/01/01,101/08/31,300,0\n",
        encoding="utf-8",
    )
    call_command("import_forum", str(tally))  # the import itself runs in the worker too
    assert StandingRefresh.objects.get(plan=plan).changes == before.changes + 1
    for _ in range(300):
        refresh = StandingRefresh.objects.get(plan=plan)
        if not refresh.stale and refresh.refreshed_at > before.refreshed_at:
            break
        time.sleep(0.1)
    assert (refresh.stale, refresh.refreshed_at > before.refreshed_at) == (False, True)
    # The refresh ran in the worker process (queued by the import's job), not in this one.
    log = celery_worker_process.log_path.read_text()
    assert "Task portal.run_import[" in log
    assert "Task incentives.refresh_standings[" in log
    page = client.get(staff_url(plan, status="met"))
    assert {r.employee_id for r in page.context["results"]} == {person.pk, already.pk}
    assert page.context["count"] == 2
    # The counts the refresh kept are current again and are what the page counted.
    assert refresh.counts_current
