"""Issue 20: the employee page's never-stale cache (portal.pagecache). A page served from the
cache is the page computed afresh; every kind of write through Django starts a new data
generation, so the next page shows it; the key holds the person, the day and the language.

These tests commit (transactional_db): a write bumps the generation when its transaction
commits, and inside a test's own transaction nothing would. Query counts, never timings.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import LearningRecord
from incentives import services as incentives
from incentives.models import Decision
from leave import services as leave
from portal import audit, pagecache
from portal.models import Role, User
from tests.factories import EmployeeFactory, UserFactory
from tests.importing import csv_bytes, run_command
from tests.test_my_standing import MAIN, SIDE, learn, world  # noqa: F401  (the fixture)

RECORD_HEADER = (
    "身分證字號,姓名,課程名稱,學習起日,學習迄日,完成時間,學習時數,數位時數,學習性質,課程類別,開課機關,與業務相關"
)
URL = reverse("incentives:me")
# The shell differs per request (the log-out form's masked CSRF token); the content never does.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def cached(transactional_db, world, settings, client):  # noqa: F811
    """The world committed, the cache on and empty, the person signed in."""
    settings.EMPLOYEE_PAGE_CACHE = 3600
    cache.clear()
    client.force_login(world["user"])
    return world


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def fresh(client, settings) -> str:
    """The page computed with the cache off."""
    settings.EMPLOYEE_PAGE_CACHE = 0
    try:
        return page(client)
    finally:
        settings.EMPLOYEE_PAGE_CACHE = 3600


def served_from_cache(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = page(client)
    return html, len(queries.captured_queries)


def test_a_cached_page_is_the_fresh_page_in_one_query(cached, client, settings):
    learn(cached["employee"], "兩岸情勢概述", 2, dt.date(2014, 1, 13))
    first = page(client)  # a miss: computed and stored
    again, queries = served_from_cache(client)
    # The session (in the database here; in the cache with a shared one); the user and the
    # page come from the cache (portal.middleware.CachedAuthenticationMiddleware).
    assert queries == 1
    assert again == first == fresh(client, settings)
    assert "學習時數 2 小時" in again


def writes(people):
    """Each kind of write the page must see at once: {name: (preparation, the write, text it shows)}."""
    employee, plan, hr, user = people["employee"], people["plan"], people["hr"], people["user"]

    def nothing(tmp_path):
        pass

    def one_record(tmp_path):
        learn(employee, "兩岸情勢概述", 2, dt.date(2014, 1, 13))

    def imported(tmp_path):
        data = csv_bytes(RECORD_HEADER, f"{employee.national_id},王小明,資安案例分享,,1030305,,6,,數位,,e學中心,")
        code, _out, err = run_command("import_records", tmp_path, data)
        assert (code, err) == (0, "")

    def rule_changed(tmp_path):
        rule = dict(plan.parameters["rules"][0])
        rule["tiers"] = [dict(t) for t in rule["tiers"]]
        rule["tiers"][0]["any_of"] = [{"all_of": [{"metric": "hours", "min": 3}]}]
        incentives.update_rule(hr, plan, rule)

    def decision_approved(tmp_path):
        learn(employee, "公務倫理", 12, dt.date(2014, 2, 4))
        incentives.save_evaluation(hr, plan)
        incentives.request(hr, Decision.objects.filter(employee=employee))
        incentives.approve(hr, Decision.objects.get(employee=employee))

    def decision_issued(tmp_path):
        incentives.issue(hr, Decision.objects.get(employee=employee), "高市府人考字第1030000001號", dt.date(2014, 7, 1))

    def leave_granted(tmp_path):
        for name, hours in MAIN + SIDE:
            learn(employee, name, hours, dt.date(2014, 1, 4), at=dt.time(10, 0))
        leave.grant_leave(plan, user=hr)

    def leave_applied(tmp_path):
        leave.apply(user, plan, dt.date(2014, 3, 3), dt.time(8, 30), dt.time(10, 30), today=dt.date(2014, 2, 20))

    def bulk_created(tmp_path):
        record = LearningRecord.objects.get(employee=employee)
        record.pk, record.course_key, record.completed_on = None, "另一門課", dt.date(2014, 3, 3)
        LearningRecord.objects.bulk_create([record])

    def queryset_updated(tmp_path):
        LearningRecord.objects.filter(employee=employee).update(hours=5)

    def raw_sql(tmp_path):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE courses_learningrecord SET hours = 7 WHERE employee_id = %s", [employee.pk])

    return {
        "imported": (nothing, imported, "學習時數 6 小時"),
        "rule_changed": (nothing, rule_changed, "學習時數再 3 小時可達嘉獎 1 次"),
        "decision_issued": (decision_approved, decision_issued, "高市府人考字第1030000001號"),
        "leave_applied": (leave_granted, leave_applied, "08:30–10:30"),
        "bulk_created": (one_record, bulk_created, "學習時數 4 小時"),
        "queryset_updated": (one_record, queryset_updated, "學習時數 5 小時"),
        "raw_sql": (one_record, raw_sql, "學習時數 7 小時"),
    }


@pytest.mark.parametrize(
    "kind",
    ["imported", "rule_changed", "decision_issued", "leave_applied", "bulk_created", "queryset_updated", "raw_sql"],
)
def test_every_kind_of_write_shows_on_the_next_page(cached, client, settings, tmp_path, kind):
    prepare, write, shows = writes(cached)[kind]
    prepare(tmp_path)
    before = page(client)
    html, queries = served_from_cache(client)
    assert (html, queries <= 3) == (before, True)  # served from the cache
    generation = pagecache.generation()
    write(tmp_path)
    assert pagecache.generation() != generation
    after = page(client)
    assert shows in after and shows not in before
    assert after == fresh(client, settings)
    html, queries = served_from_cache(client)
    assert (html, queries <= 3) == (after, True)  # and cached again


def test_a_closed_account_or_a_new_role_is_seen_at_once(cached, client):
    page(client)
    assert "獎勵案核定" not in page(client)  # HR's menu
    User.objects.filter(pk=cached["user"].pk).update(role=Role.HR)
    assert "獎勵案核定" in page(client)
    User.objects.filter(pk=cached["user"].pk).update(is_active=False)
    assert client.get(URL).status_code == 302  # to the log-in page


def test_a_session_of_another_password_is_not_let_in_by_the_cache(cached, client):
    page(client)
    session = client.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    assert client.get(URL).status_code == 302


def test_a_second_person_never_sees_the_first_ones_page(cached, client, settings):
    learn(cached["employee"], "兩岸情勢概述", 2, dt.date(2014, 1, 13))
    mine = page(client)
    other = EmployeeFactory(unit=cached["unit"], name="林美玲", rank="薦任")
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=other))
    theirs = page(client)
    assert "學習時數 2 小時" in mine and "學習時數 2 小時" not in theirs
    assert theirs == fresh(client, settings)


def test_the_next_day_is_computed_again(cached, client, settings):
    for name, hours in MAIN + SIDE:
        learn(cached["employee"], name, hours, dt.date(2014, 1, 4), at=dt.time(10, 0))
    leave.grant_leave(cached["plan"], user=cached["hr"])
    assert "103/07/15 可用" in page(client)
    settings.PORTAL_TODAY = "2014-07-16"
    with CaptureQueriesContext(connection) as queries:
        html = CSRF.sub("", client.get(URL).content.decode())
    assert len(queries.captured_queries) > 3  # a miss: computed for the new day
    assert "103/07/16 可用" in html


def test_the_year_and_the_language_are_in_the_key(cached, client, settings):
    learn(cached["employee"], "兩岸情勢概述", 2, dt.date(2013, 5, 1))
    learn(cached["employee"], "公務倫理", 3, dt.date(2014, 5, 1))
    this_year, last_year = page(client), CSRF.sub("", client.get(URL, {"year": 2013}).content.decode())
    assert "102 年我的學習" in last_year and "103 年我的學習" in this_year
    client.cookies["django_language"] = "en"
    english = page(client)
    assert english != this_year and english == fresh(client, settings)


def test_log_ins_sessions_and_the_audit_log_keep_the_generation(cached, client):
    generation = pagecache.generation()
    client.force_login(cached["hr"])  # a session and the user's last_login
    session = client.session
    session["seen"] = 1
    session.save()
    audit.record(cached["hr"], "notice_preferences", cached["employee"], "test")
    assert pagecache.generation() == generation


def test_a_rolled_back_write_does_not_bump_and_is_never_cached(cached, client, settings):
    """A write rolled back never reached another connection: the generation stays. While the
    transaction holds it, its own connection neither reads nor stores cached pages."""
    learn(cached["employee"], "兩岸情勢概述", 2, dt.date(2014, 1, 13))
    before = page(client)
    generation = pagecache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        LearningRecord.objects.update(hours=9)
        assert not pagecache.may_use(connection)
        assert "學習時數 9 小時" in page(client)  # its own write, computed, not cached
        raise RuntimeError
    assert pagecache.generation() == generation
    assert pagecache.may_use(connection)
    assert served_from_cache(client)[0] == before == fresh(client, settings)


def test_a_savepoint_rolled_back_still_leaves_the_outer_write_to_bump(cached):
    generation = pagecache.generation()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            LearningRecord.objects.update(hours=9)
            raise RuntimeError
        LearningRecord.objects.update(hours=8)
        assert pagecache.generation() == generation  # not before the commit
    assert pagecache.generation() != generation


@pytest.mark.parametrize(
    "sql, changes",
    [
        ('SELECT "x" FROM "courses_learningrecord"', False),
        ("(SELECT 1) UNION ALL (SELECT 2)", False),
        ("SAVEPOINT s1", False),
        ('INSERT INTO "courses_learningrecord" ("hours") VALUES (%s)', True),
        ('UPDATE "leave_entry" SET "hours" = %s', True),
        ('DELETE FROM "incentives_decision" WHERE 1', True),
        ("COPY courses_learningrecord (hours) FROM STDIN", True),
        ("COPY (SELECT 1) TO STDOUT", False),
        ('TRUNCATE "courses_learningrecord"', True),
        ('CREATE TABLE "t" ("a" int)', True),
        ("WITH moved AS (DELETE FROM t RETURNING *) SELECT * FROM moved", True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('INSERT INTO "portal_auditentry" ("action") VALUES (%s)', False),
        ('UPDATE "portal_user" SET "last_login" = %s WHERE "portal_user"."id" = %s', False),
        ('UPDATE "portal_user" SET "last_login" = %s, "role" = %s WHERE "portal_user"."id" = %s', True),
        ("SOMETHING odd", True),
    ],
)
def test_which_statements_bump(sql, changes):
    assert pagecache.changes_data(sql) is changes
