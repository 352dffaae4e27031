"""Every bad input to a page gets a clear answer, never a 500 (issue 15, item 4).

Every URL of the project (the access walk's list, admin included) is requested with every
query parameter a view reads set to a malformed value: a huge integer, a negative number,
a non-number, a NUL byte, digits Python's isdigit() accepts but int() refuses.
"""

from urllib.parse import urlencode

import pytest
from django.urls import get_resolver, reverse

from tests.figures import report
from tests.test_access import admin_urls, params, walk, world  # noqa: F401 - world is a fixture

# The names the views and the admin read (grep -rn "GET.get" */views.py), and the admin's own.
NAMES = [
    "agency",
    "unit",
    "page",
    "per",
    "camp_page",
    "year",
    "plan",
    "status",
    "rule",
    "order",
    "sort",
    "q",
    "format",
    "figure",
    "p",
    "o",
    "e",
    "all",
    "withdrawn",
    "plan__id__exact",
    "employee__agency__id__exact",
    "status__exact",
]
VALUES = {
    "huge": "9" * 23,
    "negative": "-12",
    "not a number": "abc",
    "NUL": "1\x00",
    "superscript digit": "²",
    "below zero, huge": "-" + "9" * 30,
}


def _urls(world):  # noqa: F811 - the fixture, passed on
    urls = []
    for name, _pattern in walk(get_resolver().url_patterns):
        kwargs = params(name, world)
        if kwargs is None or name in {"logout", "set_language"}:
            continue
        urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.parametrize("role", ["hr", "coordinator_a", "employee"])
def test_every_url_with_malformed_query_values_answers_without_500(world, client, role):  # noqa: F811
    urls = _urls(world) + (admin_urls(world) if role == "hr" else [])
    client.force_login(world["users"][role])
    client.raise_request_exception = False  # collect every 500, not only the first
    failures, checked = [], 0
    for url in urls:
        for label, value in VALUES.items():
            response = client.get(f"{url}?{urlencode({name: value for name in NAMES})}")
            checked += 1
            if response.status_code >= 500:
                failures.append((url, label, response.status_code))
                break  # one value is enough to name the URL
    report(
        f"malformed-{role}",
        f"malformed query values as {role}: {len(urls)} URLs × {len(VALUES)} values "
        f"= {checked} requests, 500s: {len(failures)}",
    )
    assert failures == [], "\n".join(f"{url} ({label}): {status}" for url, label, status in failures)


def test_nul_in_a_query_value_is_refused_in_chinese(world, client):  # noqa: F811
    client.force_login(world["users"]["hr"])
    response = client.get(reverse("employee-list"), {"q": "王\x00"})
    assert (response.status_code, response.content.decode()) == (
        400,
        "網址含有空字元（NUL），無法處理；請確認網址後重試。",
    )


@pytest.mark.parametrize("value", [v for v in VALUES.values() if "\x00" not in v])
def test_people_list_with_malformed_agency_lists_everyone_it_may(world, client, value):  # noqa: F811
    client.force_login(world["users"]["hr"])
    response = client.get(reverse("employee-list"), {"agency": value})
    assert response.status_code == 200
    assert "乙機關秘密人" in response.content.decode()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12", 12),
        (" 7 ", 7),
        ("9" * 19, None),
        ("9" * 23, None),
        ("-12", None),
        ("0", None),
        ("abc", None),
        ("1\x00", None),
        ("²", None),
        ("１２", None),
        ("", None),
        (None, None),
        ("1e3", None),
        ("--1", None),
    ],
)
def test_parse_int_reads_ascii_ids_in_range_only(text, expected):
    from portal.params import parse_int

    assert parse_int(text) == expected
