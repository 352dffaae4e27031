"""Error pages in Chinese with DEBUG off: what happened, for how long, and a way back (issue 17, item 1)."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Role
from tests.factories import EmployeeFactory, UserFactory

WAYS_BACK = ['href="/"', 'href="/accounts/login/"']


def chinese_page(response, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in page and 'lang="zh-Hant-TW"' in page
    for way in WAYS_BACK:
        assert way in page, way
    for english in ["Forbidden", "Not Found", "Server Error", "Account locked", "Page not found"]:
        assert english not in page, english
    return page


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.mark.django_db
def test_the_404_page_is_chinese_with_debug_off(production, client):
    page = chinese_page(client.get("/no-such-page/"), 404, "找不到您要的網頁")
    assert "網址可能打錯了" in page


@pytest.mark.django_db
def test_the_403_page_is_chinese_with_debug_off(production, client):
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=EmployeeFactory()))
    page = chinese_page(client.get(reverse("incentives:decisions")), 403, "您沒有檢視這一頁的權限")
    assert "人事單位" in page


@pytest.mark.django_db
def test_the_500_page_is_chinese_and_needs_no_context_with_debug_off(production, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    page = chinese_page(client.get("/fail/"), 500, "系統發生錯誤，這次的操作沒有完成")
    assert "請稍候幾分鐘再試一次" in page


@pytest.mark.django_db
def test_the_csrf_failure_page_is_chinese(production):
    client = Client(enforce_csrf_checks=True)
    page = chinese_page(client.post(reverse("login"), {"username": "x", "password": "y"}), 403, "表單已過期，未送出")
    assert "重新整理後再送出" in page


@pytest.mark.django_db
def test_the_lockout_page_says_why_for_how_long_and_the_way_back(production, settings, client):
    settings.AXES_COOLOFF_TIME = 0.5
    UserFactory(username="hr1", role=Role.HR)
    for i in range(1, 6):
        response = client.post(reverse("login"), {"username": "hr1", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{i}")
    page = chinese_page(response, 429, "登入暫時鎖定")
    assert "因為連續 5 次登入失敗" in page and "鎖定時間為 30 分鐘" in page
