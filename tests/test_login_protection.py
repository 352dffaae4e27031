"""Log-in protection (issue 15, item 5): lockout per username across addresses, a limit per
address across usernames, and a password-change page for everyone signed in."""

import pytest
from django.urls import reverse

from portal.models import Role
from tests.factories import UserFactory

PASSWORD = "a-correct-password-1"


def person(username):
    user = UserFactory(username=username, role=Role.HR)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address).status_code


@pytest.mark.django_db
def test_one_username_is_locked_after_5_failures_from_5_addresses(client):
    person("hr1")
    statuses = [attempt(client, "hr1", "wrong", f"10.0.0.{i}") for i in range(1, 6)]
    assert statuses == [200, 200, 200, 200, 429]
    # Locked everywhere, even with the right password from an address never seen.
    assert attempt(client, "hr1", PASSWORD, "10.9.9.9") == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_address_is_limited_after_20_failures_over_20_usernames(client, settings):
    person("victim")
    statuses = [attempt(client, f"guess{i}", "Spring2024!", "10.1.1.1") for i in range(20)]
    assert statuses == [200] * 19 + [429]
    assert attempt(client, "victim", PASSWORD, "10.1.1.1") == 429  # the address is locked
    assert attempt(client, "victim", PASSWORD, "10.2.2.2") == 302  # the person is not


@pytest.mark.django_db
def test_a_few_typos_in_one_office_lock_nobody_else(client):
    person("colleague")
    for i in range(4):  # four people behind the office's one address, four typos each
        assert [attempt(client, f"staff{i}", "typo", "10.3.3.3") for _ in range(4)] == [200] * 4
    assert attempt(client, "colleague", PASSWORD, "10.3.3.3") == 302


@pytest.mark.django_db
def test_logging_in_to_an_own_account_does_not_reset_the_address_count(client):
    person("attacker")
    assert [attempt(client, f"guess{i}", "x", "10.4.4.4") for i in range(19)] == [200] * 19
    assert attempt(client, "attacker", PASSWORD, "10.4.4.4") == 302
    client.logout()
    assert attempt(client, "guess-next", "x", "10.4.4.4") == 429


@pytest.mark.django_db
def test_everyone_signed_in_can_change_their_password(client):
    user = person("employee1")
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("password_change")}">變更密碼</a>' in home
    page = client.get(reverse("password_change"))
    assert (page.status_code, "目前的密碼" in page.content.decode()) == (200, True)
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Blue-river-42-x", "new_password2": "Blue-river-42-x"},
    )
    assert "密碼未變更" in wrong.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Blue-river-42-x", "new_password2": "Blue-river-42-x"},
    )
    assert done.headers["Location"] == reverse("password_change_done")
    assert "您的密碼已變更" in client.get(done.headers["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Blue-river-42-x") is True


@pytest.mark.django_db
def test_password_change_asks_anonymous_people_to_log_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))
