"""Issue 18: HR assigns coordinators and HR officers on the accounts page, and resends invitations."""

import pytest

from portal.models import AuditEntry, Role
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory


@pytest.fixture
def two_governments():
    tainan, kaohsiung = AgencyFactory(name="臺南市政府"), AgencyFactory(name="高雄市政府")
    bureau = AgencyFactory(name="臺南市政府人事處", parent=tainan)
    person = EmployeeFactory(unit=UnitFactory(agency=bureau), name="王小明")
    account = UserFactory(employee=person, email="ming@example.tw")
    hr_tainan = UserFactory(role=Role.HR, agencies=[tainan])
    hr_kaohsiung = UserFactory(role=Role.HR, agencies=[kaohsiung])
    return {
        "bureau": bureau,
        "account": account,
        "hr_tainan": hr_tainan,
        "hr_kaohsiung": hr_kaohsiung,
        "kaohsiung": kaohsiung,
    }


@pytest.mark.django_db
def test_hr_assigns_a_coordinator_with_agencies(client, two_governments):
    w = two_governments
    client.force_login(w["hr_tainan"])
    listing = client.get("/accounts/manage/").content.decode()
    assert "王小明" in listing
    response = client.post(
        f"/accounts/manage/{w['account'].pk}/", {"role": Role.COORDINATOR, "agencies": [w["bureau"].pk]}
    )
    assert response.status_code == 302
    w["account"].refresh_from_db()
    assert w["account"].role == Role.COORDINATOR
    assert list(w["account"].agencies.all()) == [w["bureau"]]
    assert AuditEntry.objects.filter(action="account_role_assigned").count() == 1


@pytest.mark.django_db
def test_hr_cannot_give_an_agency_of_another_government(client, two_governments):
    w = two_governments
    client.force_login(w["hr_tainan"])
    response = client.post(
        f"/accounts/manage/{w['account'].pk}/", {"role": Role.COORDINATOR, "agencies": [w["kaohsiung"].pk]}
    )
    assert response.status_code == 403
    w["account"].refresh_from_db()
    assert (w["account"].role, w["account"].agencies.count()) == (Role.EMPLOYEE, 0)


@pytest.mark.django_db
def test_a_coordinator_needs_agencies(client, two_governments):
    w = two_governments
    client.force_login(w["hr_tainan"])
    page = client.post(f"/accounts/manage/{w['account'].pk}/", {"role": Role.COORDINATOR}).content.decode()
    assert "機關承辦人與人事人員須指定服務機關。" in page


@pytest.mark.django_db
def test_hr_of_another_government_sees_no_account(client, two_governments):
    w = two_governments
    client.force_login(w["hr_kaohsiung"])
    assert "王小明" not in client.get("/accounts/manage/").content.decode()
    assert client.get(f"/accounts/manage/{w['account'].pk}/").status_code == 404
    assert client.post(f"/accounts/manage/{w['account'].pk}/", {"role": Role.HR}).status_code == 404


@pytest.mark.django_db
def test_an_employee_may_not_manage_accounts(client, two_governments):
    client.force_login(two_governments["account"])
    assert client.get("/accounts/manage/").status_code == 403


@pytest.mark.django_db
def test_hr_resends_the_invitation(client, two_governments, mailoutbox, django_capture_on_commit_callbacks):
    w = two_governments
    client.force_login(w["hr_tainan"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/manage/{w['account'].pk}/", {"invite": "1"})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["ming@example.tw"]]
    assert mailoutbox[0].subject == "【終身學習入口網站】帳號開通：請設定密碼"
    assert "/accounts/reset/" in mailoutbox[0].body
