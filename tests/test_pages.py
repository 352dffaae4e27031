import pytest
from django.urls import reverse

from portal.models import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_admin_speaks_traditional_chinese_whatever_the_browser_sends(client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_employee_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert "選擇 人員 來修改" in page.content.decode()
    assert page.headers["Content-Language"] == "zh-hant"


@pytest.mark.django_db
def test_english_is_available_by_choice(client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("admin:portal_employee_changelist"))
    assert "Select" in page.content.decode()
    assert page.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_demo_log_in_works_with_the_readme_account(client):
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))
    page = client.post(reverse("login"), {"username": "hr", "password": "demo1234"}, follow=True)
    assert page.status_code == 200
    assert page.context["user"].username == "hr"
    assert client.get(reverse("admin:index")).status_code == 200
