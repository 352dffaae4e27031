"""Issue 20: `evaluate --workers` through a real Celery worker on Redis gives the same JSON,
byte for byte, as the evaluation in one process (chunks joined in order)."""

import datetime as dt
import io
import re
import time

import pytest
from django.core.management import call_command

from courses.models import Bundle, BundleCourse, Course
from programs.models import Plan
from tests.factories import AgencyFactory, UnitFactory
from tests.test_evaluate import RULES, populate

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_evaluate_through_a_real_worker_gives_the_same_json(celery_worker_process):
    government = AgencyFactory(name="高雄市政府")
    plan = Plan.objects.create(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="計畫",
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        off_duty_definition="outside_office_hours",
        employment_types=["編制內"],
        parameters={"rules": RULES},
    )
    main = Bundle.objects.create(plan=plan, slug="main-junior", name="薦任主餐", kind="main", rank="薦任", hours=2)
    side = Bundle.objects.create(plan=plan, slug="side-happy", name="幸福嚴選餐", kind="side", hours=3)
    for bundle, name, hours in [(main, "兩岸情勢概述", 2), (side, "環境影響評估概論", 3)]:
        BundleCourse.objects.create(bundle=bundle, course=Course.objects.create(name=name, hours=hours), hours=hours)
    plan.unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    populate(plan, 5)
    here, there = io.StringIO(), io.StringIO()
    call_command("evaluate", plan.slug, "--json", "--chunk-size", "2", stdout=here)
    call_command("evaluate", plan.slug, "--json", "--workers", "--chunk-size", "2", stdout=there)
    assert there.getvalue() == here.getvalue()
    assert here.getvalue().count('"national_id"') == 5
    # The chunks ran in the worker process, not in this one: 5 people in chunks of 2.
    # The worker stores a result before it logs the success: wait for its last line.
    for _ in range(100):
        log = celery_worker_process.log_path.read_text().splitlines()
        if sum(1 for line in log if "Task incentives.evaluate_chunk[" in line and "succeeded" in line) >= 3:
            break
        time.sleep(0.1)
    assert sum(1 for line in log if "Task incentives.evaluate_chunk[" in line and "succeeded" in line) == 3
    # The worker logs each chunk's result, with every national ID masked.
    assert "A13****" in "\n".join(log)
    assert not re.search(r"[A-Z][12]\d{8}", "\n".join(log))
