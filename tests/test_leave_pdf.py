import datetime as dt
import io

import pytest
from pypdf import PdfReader

from leave import reports, services
from leave.models import RecordUse
from portal import rocdate
from portal.models import Role
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    EntryFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_application_pdf_lists_the_employee_each_course_its_hours_and_times():
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度推動數位學習實施計畫",
        parameters={"rules": [{"code": "leave", "kind": "leave_bundles", "form": "附件2"}]},
    )
    employee = EmployeeFactory(
        name="王小明", title="科員", unit=UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    )
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    grant = EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=8,
        earned_on=dt.date(2014, 3, 8),
        usable_until=dt.date(2014, 9, 8),
    )
    for name, hours, day, time in [
        ("兩岸情勢概述", 2, dt.date(2014, 3, 1), dt.time(20, 15)),
        ("環境影響評估概論", 3, dt.date(2014, 3, 8), dt.time(22, 40)),
    ]:
        record = LearningRecordFactory(
            employee=employee, course_name=name, course_key=name, hours=hours, completed_on=day, completed_at=time
        )
        RecordUse.objects.create(record=record, grant=grant)
    application = services.apply(
        user, plan, dt.date(2014, 4, 10), dt.time(8, 30), dt.time(12, 30), today=dt.date(2014, 3, 20)
    )
    pdf = reports.render_application_pdf(application)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert (
        len(reader.pages),
        reader.pages[0].mediabox.width.__round__(),
        reader.pages[0].mediabox.height.__round__(),
    ) == (1, 595, 842)
    for expected in [
        "公餘時間完成數位學習補休申請表",
        "王小明",
        "課程1名稱：兩岸情勢概述",
        "課程2名稱：環境影響評估概論",
        "103年3月1日",
        "20 時 15 分（24小時制）",
        "22 時 40 分",
        "103年4月10日",
        "08:30",
        "12:30",
        "申請人簽名：",
        "單位主管核章：",
        "人事單位核章：",
        "須檢附時數證明",
        "填表注意事項：",
        "線上簽核紀錄",
    ]:
        assert expected in text, expected
    lines = reader.pages[0].extract_text().splitlines()
    assert lines[-1] == f"第 1 頁，共 1 頁 列印日期：{rocdate.to_roc_long(dt.date.today())}"


@pytest.mark.django_db
def test_the_forms_leave_hours_add_up_to_the_grant_and_name_who_approved_when(settings):
    """A combination's courses earn its hours together: the 補休時數 column shows the grant once."""
    settings.PORTAL_TODAY = "2014-03-20"
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度推動數位學習實施計畫",
        parameters={"rules": [{"code": "leave", "kind": "leave_bundles", "form": "附件2"}]},
    )
    unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    employee = EmployeeFactory(name="王小明", unit=unit)
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    head = UserFactory(
        role=Role.SUPERVISOR, employee=EmployeeFactory(name="陳科長", unit=unit), first_name="人事處 科長"
    )
    head.headed_units.set([unit])
    grant = EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=4,
        earned_on=dt.date(2014, 3, 8),
        usable_until=dt.date(2014, 9, 8),
    )
    for name, hours in [("兩岸情勢概述", 2), ("環境影響評估概論", 3), ("顧客關係管理", 2)]:
        record = LearningRecordFactory(
            employee=employee,
            course_name=name,
            course_key=name,
            hours=hours,
            completed_on=dt.date(2014, 3, 8),
            completed_at=dt.time(20, 0),
        )
        RecordUse.objects.create(record=record, grant=grant)
    application = services.apply(user, plan, dt.date(2014, 4, 10), dt.time(8, 30), dt.time(12, 30))
    application = services.decide(head, application, approve=True)
    rows = reports.application_rows(application)
    assert [r["grant_hours"] for r in rows] == [4, None, None]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(reports.render_application_pdf(application))).pages)
    assert "陳科長" in text and "103/03/20" in text and "線上核章" in text
