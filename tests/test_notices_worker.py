"""Every message kind of issue 18 through a real Celery worker on Redis, sharing the PostgreSQL
test database: the worker's Django mail goes to a file-based outbox this test reads, and each
message's Chinese subject, body and link are asserted exactly."""

import datetime as dt
import email
import email.policy
import time
from decimal import Decimal as D

import pytest
from django.urls import reverse

from leave.models import Application
from portal import notices
from tests.test_notices import BASE, crowd, grant
from tests.test_notices import world as world  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker(django_db_setup, media_root, tmp_path, monkeypatch, settings):
    """A worker of its own (queue `notices`) whose e-mails are written to files under tmp_path."""
    from tests.conftest import start_worker, stop_worker

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(outbox))
    monkeypatch.setenv("PORTAL_BASE_URL", BASE)
    monkeypatch.setenv("PORTAL_TODAY", "2012-09-03")
    monkeypatch.setattr(
        notices.send_event_notices, "delay", lambda *a: notices.send_event_notices.apply_async(a, queue="notices")
    )
    worker = start_worker(media_root, tmp_path / "worker.log", queue="notices")
    worker.outbox = outbox
    yield worker
    stop_worker(worker)


def read(outbox, expected: int, timeout: float = 60) -> list[tuple[list[str], str, str]]:
    """The (to, subject, body) of the messages the worker wrote, once there are `expected`."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in sorted(outbox.iterdir(), key=lambda p: (p.stat().st_mtime, p.name)):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk, policy=email.policy.default)
                    # A long encoded Subject is folded onto a continuation line: its leading space is not content.
                    found.append(([message["To"]], str(message["Subject"]).strip(), message.get_content()))
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_every_event_message_through_a_real_worker(world, client, mail_worker):  # noqa: F811
    grant(world, D(4), dt.date(2012, 8, 1), dt.date(2013, 2, 1))
    client.force_login(world["user"])
    client.post(
        reverse("leave:mine"),
        {"plan": world["plan"].pk, "leave_date": "2012-09-20", "starts_at": "09:00", "ends_at": "11:00"},
    )
    first = Application.objects.get()
    assert read(mail_worker.outbox, 1) == [
        (
            ["lin@example.tw"],
            "【數位學習】補休申請待核章：王小明",
            "林主管 您好：\n\n王小明 申請補休（101年9月20日 09:00–11:00 共 2 小時），待您核章。\n\n"
            f"請至下列網址核章或退回：\n{BASE}/leave/approvals/\n",
        )
    ]
    client.force_login(world["supervisor"])
    client.post(reverse("leave:approvals"), {"application": first.pk, "decision": "approve"})
    read(mail_worker.outbox, 2)
    client.force_login(world["hr"])
    client.post(reverse("leave:registrations"), {"application": [first.pk]})
    read(mail_worker.outbox, 3)
    client.force_login(world["user"])
    client.post(
        reverse("leave:mine"),
        {"plan": world["plan"].pk, "leave_date": "2012-09-21", "starts_at": "09:00", "ends_at": "10:00"},
    )
    read(mail_worker.outbox, 4)
    second = Application.objects.get(leave_date=dt.date(2012, 9, 21))
    client.force_login(world["supervisor"])
    client.post(reverse("leave:approvals"), {"application": second.pk, "decision": "return", "note": "人力不足"})
    sent = read(mail_worker.outbox, 5)
    assert [(to, subject) for to, subject, _body in sent] == [
        (["lin@example.tw"], "【數位學習】補休申請待核章：王小明"),
        (["ming@example.tw"], "【數位學習】補休申請已核章：101年9月20日"),
        (["ming@example.tw"], "【數位學習】補休申請已登記：101年9月20日"),
        (["lin@example.tw"], "【數位學習】補休申請待核章：王小明"),
        (["ming@example.tw"], "【數位學習】補休申請已退回：101年9月21日"),
    ]
    assert sent[1][2] == (
        "王小明 您好：\n\n您申請的補休（101年9月20日 09:00–11:00 共 2 小時）已由單位主管核章，待人事單位登記。\n\n"
        f"請至下列網址查看：\n{BASE}/leave/\n"
    )
    assert sent[2][2] == (
        "王小明 您好：\n\n您申請的補休（101年9月20日 09:00–11:00 共 2 小時）已由人事單位登記完成。\n\n"
        f"請至下列網址查看：\n{BASE}/leave/\n"
    )
    assert sent[4][2] == (
        "王小明 您好：\n\n您申請的補休（101年9月21日 09:00–10:00 共 1 小時）已由單位主管退回，時數已退還。\n"
        f"退回理由：人力不足\n\n請至下列網址查看：\n{BASE}/leave/\n"
    )
    assert "Task portal.send_event_notices[" in mail_worker.log_path.read_text()


def test_every_decision_message_through_a_real_worker(settings, client, mail_worker, monkeypatch):
    from incentives.models import Decision
    from tests.test_notices import decisions_world

    world = decisions_world(settings)
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"all": "1"})
    wang, lin, chen = (Decision.objects.get(employee__name=n) for n in ("王小明", "林美玲", "陳大文"))
    client.force_login(world["hr"])
    desk = "/incentives/decisions/"
    client.post(desk, {"action": "return", "decision": [lin.pk], "reason": "請補附統計表"})
    read(mail_worker.outbox, 1)
    client.post(desk, {"action": "reject", "decision": [chen.pk], "reason": "篇數含灌水文章"})
    read(mail_worker.outbox, 2)
    client.post(desk, {"action": "approve", "decision": [wang.pk]})
    client.post(
        desk,
        {"action": "issue", "decision": [wang.pk], "order_number": "南市人考字第1010001號", "order_date": "101/10/20"},
    )
    sent = read(mail_worker.outbox, 3)
    wang.refresh_from_db()
    staff = f"{BASE}/incentives/plan/tainan-101/staff/"
    assert sent == [
        (
            ["coord@example.tw"],
            "【數位學習】獎勵提報退回：林美玲",
            "承辦 您好：\n\n您提報的「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））獎勵（林美玲，嘉獎 1 次）"
            "已由人事單位退回，請依理由修正後重新提報。\n退回理由：請補附統計表\n\n"
            f"請至下列網址查看：\n{staff}\n",
        ),
        (
            ["coord@example.tw"],
            "【數位學習】獎勵不予核定：陳大文",
            "承辦 您好：\n\n「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））獎勵（陳大文，嘉獎 1 次）經人事單位決定不予核定。\n"
            f"不予核定理由：篇數含灌水文章\n\n請至下列網址查看：\n{staff}\n",
        ),
        (
            ["wang@example.tw"],
            "【數位學習】獎懲令已發布：嘉獎 2 次（南市人考字第1010001號）",
            "王小明 您好：\n\n您在「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））的獎勵已發布獎懲令：嘉獎 2 次。\n"
            f"獎懲令文號：南市人考字第1010001號\n獎懲令日期：101年10月20日\n事由：{wang.reason}\n\n"
            f"請至下列網址查看：\n{BASE}/incentives/me/\n",
        ),
    ]


def test_every_reminder_through_a_real_worker(world, settings, mail_worker):  # noqa: F811
    """The nightly task run by the worker as of 101/10/10: lapsing hours, the supervisor's and
    HR's waiting work, a filing deadline (101/10/15) and HR's waiting decisions."""
    from incentives.models import Decision

    settings.PORTAL_TODAY = "2012-10-10"
    crowd(world, 1, 0)  # 人員0: hours lapsing 101/10/30, an application waiting, an approved one, a decision
    Decision.objects.filter(employee__name="人員0").update(status="requested")
    Decision.objects.create(
        plan=world["plan"],
        employee=world["employee"],
        rule_code="forum-posts",
        rule_version=Decision.objects.get().rule_version,
        award="commendation",
        count=1,
        reason="論壇",
    )
    notices.send_reminders_task.apply_async(kwargs={"as_of": "2012-10-10"}, queue="notices")
    sent = sorted(read(mail_worker.outbox, 5))
    assert sent == [
        (
            ["coord@example.tw"],
            "【數位學習】提報期限 101年10月15日：尚有 1 人未提報",
            f"{world['coordinator'].employee.name} 您好：\n\n「臺南市政府101年度計畫」論壇發表及回應（柒、一、（二））的獎勵須於 101年10月15日 前提報，"
            "下列 1 人尚未提報：\n王小明\n\n"
            f"逾期機關即不能提報。請至下列網址提報：\n{BASE}/incentives/plan/tainan-101/staff/\n",
        ),
        (
            ["hr@example.tw"],
            "【數位學習】獎勵案待辦：機關提報待核定的獎勵案 1 件",
            "您好：\n\n下列獎勵案待您處理：\n"
            f"・機關提報待核定的獎勵案 1 件：{BASE}/incentives/decisions/?status=requested\n",
        ),
        (
            ["hr@example.tw"],
            "【數位學習】補休待辦：核章後待登記的補休申請 1 件",
            f"您好：\n\n下列補休事項待您處理：\n・核章後待登記的補休申請 1 件：{BASE}/leave/registrations/\n",
        ),
        (
            ["lin@example.tw"],
            "【數位學習】補休申請待核章 1 件",
            "林主管 您好：\n\n下列 1 件補休申請待您核章：\n・人員0：101年10月22日 09:00–11:00 共 2 小時\n\n"
            f"請至下列網址核章或退回：\n{BASE}/leave/approvals/\n",
        ),
        (
            ["p0@example.tw"],
            "【數位學習】補休 2 小時即將失效",
            "人員0 您好：\n\n您有補休 2 小時將於 30 日內失效：\n・2 小時，101年10月30日 前須使用\n\n"
            f"逾期未使用即失效。請至下列網址申請補休：\n{BASE}/leave/\n",
        ),
    ]
    assert "Task portal.send_reminders[" in mail_worker.log_path.read_text()
