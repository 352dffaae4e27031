"""The admin in Traditional Chinese and ROC dates (issue 17, item 1)."""

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import CalendarDay
from incentives.models import RuleVersion
from portal import audit
from portal.models import AuditEntry, Role
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    DecisionFactory,
    EmployeeFactory,
    PlanFactory,
    SessionFactory,
    TrainingClassFactory,
    UserFactory,
)
from tests.test_audit import _form_data


@pytest.fixture
def hr_client(db, client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    return client


def test_the_admin_accepts_an_roc_date_in_a_date_field_and_shows_it_back(hr_client):
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="地方行政研習中心"), roc_year=104)
    activity = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    training_class = TrainingClassFactory(activity=activity, slug="basic", name="基礎班")
    session = SessionFactory(training_class=training_class, number=1, capacity=30)
    url = reverse("admin:programs_trainingclass_change", args=[training_class.pk])
    data = _form_data(hr_client.get(url))
    data["sessions-0-starts_on"], data["sessions-0-ends_on"] = "103/07/20", "103年7月22日"
    response = hr_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:800]
    session.refresh_from_db()
    assert (session.starts_on, session.ends_on) == (dt.date(2014, 7, 20), dt.date(2014, 7, 22))
    page = hr_client.get(url).content.decode()
    assert 'value="103/07/20"' in page and 'value="103/07/22"' in page


def test_an_unreadable_date_in_the_admin_is_refused_in_chinese(hr_client):
    day = CalendarDay.objects.update_or_create(date=dt.date(2014, 7, 20), defaults={"is_day_off": True})[0]
    url = reverse("admin:courses_calendarday_change", args=[day.pk])
    response = hr_client.post(url, {"date": "103/02/30", "is_day_off": "on", "note": ""})
    assert response.status_code == 200
    assert "日期不存在：「103/02/30」" in response.content.decode()


def test_admin_lists_show_roc_dates_and_taipei_times_not_gregorian_ones(hr_client):
    CalendarDay.objects.update_or_create(date=dt.date(2014, 8, 1), defaults={"is_day_off": False, "note": "測試日"})
    page = hr_client.get(
        reverse("admin:courses_calendarday_changelist") + "?q=&date__year=2014&date__month=8"
    ).content.decode()
    assert "103/08/01" in page and "2014年8月1日" not in page
    hr = UserFactory(role=Role.HR)
    entry = audit.record(hr, "decision_approved", AgencyFactory(name="高雄市政府"), "核定")
    AuditEntry.objects.filter(pk=entry.pk).update(at=dt.datetime(2014, 7, 20, 13, 30, tzinfo=dt.UTC))
    listing = hr_client.get(reverse("admin:portal_auditentry_changelist")).content.decode()
    assert "103/07/20 21:30" in listing and "獎勵案核定" in listing and ">decision_approved<" not in listing
    assert ">portal.agency<" not in listing and ">機關<" in listing


def test_a_decision_shows_its_rule_facts_and_history_in_chinese(hr_client):
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        parameters={"rules": [{"code": "bundle-reward", "kind": "bundle_completion", "clause": "陸、六、（三）"}]},
    )
    version = RuleVersion.objects.create(plan=plan, number=1, rules=plan.parameters["rules"])
    decision = DecisionFactory(
        plan=plan,
        employee=EmployeeFactory(),
        rule_code="bundle-reward",
        rule_version=version,
        award="commendation",
        count=1,
        reason="完成套餐",
        facts={"as_of": "2014-08-31"},
    )
    hr = UserFactory(role=Role.HR)
    entry = audit.record(
        hr, "decision_approved", decision, "核定", before={"status": "requested"}, after={"status": "approved"}
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=dt.datetime(2014, 9, 1, 1, 5, tzinfo=dt.UTC))
    decision.decided_at = dt.datetime(2014, 9, 1, 1, 5, tzinfo=dt.UTC)
    decision.save()
    page = hr_client.get(reverse("admin:incentives_decision_change", args=[decision.pk])).content.decode()
    assert "主餐＋副餐套餐獎勵（陸、六、（三））" in page
    assert "<dt>計算基準日</dt><dd>103/08/31</dd>" in page and "as_of" not in page
    assert "獎勵案核定" in page and "<dt>狀態</dt><dd>人事單位核定</dd>" in page
    # Both the decision's time and its history's are 09:05 in Taipei: no second time 8 hours off.
    assert page.count("103/09/01 09:05") == 2 and "01:05" not in page
    listing = hr_client.get(reverse("admin:incentives_decision_changelist")).content.decode()
    assert "主餐＋副餐套餐獎勵" in listing and "bundle-reward" not in listing


def test_the_admin_index_names_its_sections_in_chinese_and_hides_the_scheduler(hr_client):
    page = hr_client.get(reverse("admin:index")).content.decode()
    assert "登入鎖定" in page and "登入失敗紀錄" in page
    for english in ["Axes", "AXES", "Periodic", "PERIODIC", "django_celery_beat"]:
        assert english not in page, english


def test_json_values_read_as_roc_dates_taipei_times_and_labels():
    from portal.admin_display import readable_json

    html = str(
        readable_json(
            {
                "as_of": "2014-08-31",
                "decided_at": "2014-09-01T01:05:00Z",
                "status": "approved",
                "charged_to_grants": {"7": 4},
                "ok": True,
            }
        )
    )
    assert html == (
        '<dl class="json"><dt>計算基準日</dt><dd>103/08/31</dd><dt>核定時間</dt><dd>103/09/01 09:05</dd>'
        '<dt>狀態</dt><dd>人事單位核定</dd><dt>使用之核給（編號：時數）</dt><dd><dl class="json"><dt>7</dt><dd>4</dd></dl></dd>'
        "<dt>ok</dt><dd>是</dd></dl>"
    )
