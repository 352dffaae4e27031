"""Accessible pages (issue 17, 網站無障礙規範 based on WCAG 2.1): each role, signed in to the demo
in a real browser, visits its pages; axe-core (shipped inside axe-playwright-python, nothing
downloaded at run time) checks every page against the WCAG 2.1 A and AA rules, and any
violation fails the test. The main tasks are done with the keyboard only: apply for leave,
approve it, nominate, file requests.
"""

import os
import re
from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from incentives.models import Decision
from leave.models import Application
from portal.demo import DEMO_PASSWORD
from programs.models import Nomination
from tests import demo_snapshot, figures

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)

# Every rule of those tags runs; axe details only the violations (the passes, the inapplicable and
# the incomplete come back as one example node each instead of every node of the page).
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Not pages: files, signing out, the admin (Django's own, checked by its project), language switching.
NOT_A_PAGE = re.compile(r"\.(pdf|xlsx|csv)$|/download/|/logout/|/admin/|/i18n/|[?&]format=")
AXE = Axe()


class Pages:
    """The pages one person visits, each checked by axe as it is reached."""

    def __init__(self, page, live_server, who: str):
        self.page, self.base, self.who = page, live_server.url, who
        self.checked: list[str] = []
        self.violations: list[str] = []

    def check(self):
        """Run axe on the page as it stands; remember every violation with where it was."""
        assert self.page.evaluate("document.documentElement.lang") == "zh-Hant-TW", self.page.url
        results = AXE.run(self.page, options=WCAG_21_AA)
        path = self.page.url.removeprefix(self.base)
        self.checked.append(path)
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.violations.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")

    def visit(self, path: str):
        self.page.goto(self.base + path)
        self.check()

    def links(self) -> list[str]:
        """The portal's own pages this page links to (no files, no admin)."""
        found = []
        for href in self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(self.page.url, href))
            if f"{url.scheme}://{url.netloc}" != self.base or NOT_A_PAGE.search(href):
                continue
            found.append(url.path + (f"?{url.query}" if url.query else ""))
        return found

    def crawl(self, start: str = "/", limit: int = 30):
        """Visit every page reachable by links from `start`, breadth first; of pages that differ only by
        an object's number (one nomination page per session), two are enough."""
        queue, seen, shapes = [start], set(), {}
        while queue and len(seen) < limit:
            path = queue.pop(0)
            shape = re.sub(r"\d+", "N", path)
            if path in seen or shapes.get(shape, 0) >= 2:
                continue
            seen.add(path)
            shapes[shape] = shapes.get(shape, 0) + 1
            self.visit(path)
            queue += [link for link in self.links() if link not in seen]

    def report(self):
        line = f"axe WCAG 2.1 A/AA, {self.who}: {len(self.checked)} pages checked, {len(self.violations)} violations"
        print(f"\n{line}")
        figures.report(f"axe-{self.who}", line)  # shown after the run even when the test passes quietly
        assert self.violations == [], "\n".join(self.violations)
        assert len(self.checked) >= 5, self.checked


@pytest.fixture
def demo(settings):
    settings.PORTAL_TODAY = "2014-07-15"
    demo_snapshot.load_demo()  # built by load_demo once, then put back row for row before each test


def log_in(page, live_server, username: str) -> Pages:
    pages = Pages(page, live_server, username)
    pages.visit("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    return pages


def tab_to(page, selector: str, limit: int = 600):
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


def test_employee_pages_are_accessible_and_leave_is_applied_for_by_keyboard(demo, live_server, page):
    pages = log_in(page, live_server, "emp")
    pages.crawl()
    # Apply for leave with the keyboard only.
    pages.visit("/leave/")
    before = Application.objects.filter(employee__user__username="emp").count()
    tab_to(page, "#id_plan")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_leave_date")
    # The date is typed in the ROC calendar, as on paper (issue 17, item 1).
    page.keyboard.type("103/07/21")
    assert page.input_value("#id_leave_date") == "103/07/21"
    tab_to(page, "form.form-grid button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.check()
    assert Application.objects.filter(employee__user__username="emp").count() == before + 1
    assert (
        Application.objects.filter(employee__user__username="emp").latest("pk").leave_date.isoformat() == "2014-07-21"
    )
    pages.report()


def test_supervisor_pages_are_accessible_and_leave_is_approved_by_keyboard(demo, live_server, page):
    pages = log_in(page, live_server, "sup")
    pages.crawl()
    pages.visit("/leave/approvals/")
    pending = Application.objects.filter(status="submitted", employee__unit__name="資訊教育科").order_by("leave_date")
    first = pending.first()
    tab_to(page, "form.decide button[value=approve]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.check()
    first.refresh_from_db()
    assert first.status == "approved"
    pages.report()


def test_coordinator_pages_are_accessible_and_nominating_and_filing_work_by_keyboard(demo, live_server, page):
    pages = log_in(page, live_server, "coord")
    pages.crawl(limit=40)
    # Nominate with the keyboard: search a name, tick the person, send.
    pages.visit("/programs/sessions/")
    link = page.locator("a[href$='/nominate/']").first.get_attribute("href")
    pages.visit(link)
    eligible = page.locator("tr.eligible label").first.inner_text()
    tab_to(page, "#q")
    page.keyboard.type(eligible)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.check()
    tab_to(page, "tr.eligible input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, "form.card button[type=submit]")
    before = Nomination.objects.count()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("text=推薦結果")
    pages.check()
    assert Nomination.objects.count() == before + 1
    assert Nomination.objects.latest("pk").employee.name == eligible
    # File a commendation request with the keyboard from the staff standing.
    pages.visit("/incentives/plan/kaohsiung-103/staff/?status=met")
    requested = Decision.objects.filter(status="requested").count()
    tab_to(page, "table.standing input[name=employee]")
    page.keyboard.press("Space")
    tab_to(page, "form.card .actions button:not([name])")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("ul.messages li")
    pages.check()
    assert page.locator("ul.messages li").first.inner_text().startswith("已提報")
    assert Decision.objects.filter(status="requested").count() > requested
    pages.report()


def test_hr_pages_are_accessible(demo, live_server, page):
    pages = log_in(page, live_server, "hr")
    pages.crawl(limit=40)
    for path in (
        "/imports/new/",
        "/imports/templates/",
        "/leave/reviews/",
        "/leave/registrations/",
        "/incentives/decisions/",
        "/programs/proposals/review/",
        "/accounts/password/",
    ):
        pages.visit(path)
    pages.report()
