"""Messages (issue 18, items 3–5): e-mails sent through Django's mail framework by Celery, the
nightly reminders, the to-do list on each home page, and each person's opt-outs.

Apps declare what they send as `MessageKind`s from their `AppConfig.ready()`
(`portal.registry.register_message_kind`); the base never names an app's code.

- **Events** (an application approved, a 獎懲令 issued, a request returned): an app ties a kind
  to a state-machine transition (`portal.registry.register_transition_notice`);
  `portal.statemachine.Machine.move` calls `announce`, which keeps the row's id until the
  transaction commits and then queues `portal.send_event_notices`. A rolled-back change sends
  nothing. The task builds the messages with the kind's `build(items)` and sends them.
- **Reminders** (hours lapsing, a filing deadline, waiting work): each kind's `find(as_of,
  user_ids=None)` returns the messages due, for everyone in a fixed number of queries or for
  the people named. The nightly `portal.send_reminders` (Celery beat) and `manage.py
  send_reminders` send them; the home page's to-do list shows the same items for one person.
- **Once**: every message sent is logged as a `Notice` (recipient, kind, key, fingerprint); a
  message whose fingerprint is already logged for its recipient, kind and key is not sent again.
- **Opt-out**: a person turns off the kinds they do not want (`NoticeOptOut`); a mandatory kind
  (a decision about them) always goes.

Messages are in Traditional Chinese with ROC dates and an absolute link (`PORTAL_BASE_URL`).
No message carries a national ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q

from . import audit, clock
from .models import Agency, Notice, NoticeOptOut, User
from .registry import MESSAGE_KINDS
from .roles import Role

log = logging.getLogger(__name__)

# Who a kind is for: the to-do list asks only the kinds of the user's roles.
EMPLOYEE, SUPERVISOR, COORDINATOR, HR = "employee", "supervisor", "coordinator", "hr"


@dataclass
class Message:
    """One message to one user (by id): what it is about (`key`), what in it matters
    (`fingerprint`), its subject and body; for the to-do list, `items`: [(text, count shown,
    path of the page where the work is done)]. Events have no items."""

    user_id: int
    key: str
    fingerprint: str
    subject: str
    body: str
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class MessageKind:
    """A kind of message an app sends.

    `code` is stored in `Notice.kind`; `label` is shown on the preferences page; `audience` one
    of EMPLOYEE, SUPERVISOR, COORDINATOR, HR; `mandatory` kinds cannot be turned off.
    Events give `build(items) -> list[Message]`, items being [(object id, ISO moment)];
    reminders give `find(as_of, user_ids=None) -> list[Message]` (a fixed number of queries
    whatever the number of people); `remind=False` keeps a found kind on the to-do list only.
    """

    code: str
    label: object
    audience: str
    mandatory: bool = False
    build: Callable | None = None
    find: Callable | None = None
    remind: bool = True


def link(path: str) -> str:
    """The absolute address of a page of the portal, for e-mails (`PORTAL_BASE_URL`)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def fingerprint(*parts) -> str:
    """A short digest of what matters in a message (amounts, dates, counts, ids)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def greeting(name: str) -> str:
    """The first line of every message: 「王小明 您好：」. A message built once for several
    recipients (a coordinator's or HR's counts) passes no name; `addressed` puts each
    recipient's in when it is sent."""
    return f"{name} 您好：" if name else "您好："


def addressed(body: str, name: str) -> str:
    """`body` with `name` in its greeting when it was built without one (「您好：」 becomes
    「林美玲 您好：」); a body already addressed, or no name, leaves it as it is."""
    anonymous = greeting("")
    if name and body.startswith(anonymous):
        return greeting(name) + body[len(anonymous) :]
    return body


def recipient_name(first_name: str, last_name: str, employee_name: str | None) -> str:
    """How a message addresses an account: its person's name, else the account's full name
    (`User.get_full_name`), else nothing (the greeting stays 「您好：」)."""
    return employee_name or f"{first_name} {last_name}".strip()


# --- recipients ------------------------------------------------------------------------------


def _agency_children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in Agency.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(agency_id)
    return children


def _below(roots, children) -> set[int]:
    seen, stack = set(), list(roots)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, ()))
    return seen


def servers_by_agency(role: str, user_ids=None) -> dict[int, set[int]]:
    """agency id -> ids of the active coordinators (role COORDINATOR) or HR officers (HR) who
    serve it, as `portal.queries.served_agency_ids` scopes them: an account's agencies and
    everything below them; an HR officer without agencies (or a superuser) serves every agency.
    Three queries whatever the number of accounts; `user_ids` narrows to those accounts."""
    users = User.objects.filter(is_active=True)
    users = users.filter(Q(role=Role.HR) | Q(is_superuser=True)) if role == Role.HR else users.filter(role=role)
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    ids = set(users.values_list("pk", flat=True))
    roots: dict[int, set[int]] = {pk: set() for pk in ids}
    for user_id, agency_id in User.agencies.through.objects.filter(user_id__in=ids).values_list("user_id", "agency_id"):
        roots[user_id].add(agency_id)
    superusers = set(users.filter(is_superuser=True).values_list("pk", flat=True)) if role == Role.HR else set()
    children = _agency_children()
    every = {a for kids in children.values() for a in kids}
    served: dict[int, set[int]] = {}
    for user_id, agencies in roots.items():
        scope = every if role == Role.HR and (not agencies or user_id in superusers) else _below(agencies, children)
        for agency_id in scope:
            served.setdefault(agency_id, set()).add(user_id)
    return served


def accounts_of_employees(employee_ids) -> dict[int, int]:
    """employee id -> the id of their active account (one query)."""
    return dict(
        User.objects.filter(employee_id__in=list(employee_ids), is_active=True).values_list("employee_id", "pk")
    )


# --- sending ---------------------------------------------------------------------------------


def dispatch(kind_code: str, messages: list[Message], *, dry_run: bool = False) -> list[Message]:
    """Send the messages of one kind that are due, log each as a Notice, return those sent.

    Skipped: a recipient without an active account or an e-mail address; one who turned the
    kind off (unless it is mandatory); a message whose fingerprint is already logged for its
    recipient, kind and key. Four queries whatever the number of messages, and the kind's lock
    on PostgreSQL (the Notice upsert is one statement there; SQLite splits it every 999
    parameters). With `dry_run`, nothing is sent or logged. A mail server that fails raises
    (OSError, smtplib's errors among them) and nothing is logged: the event job retries, and
    the next night's run sends the reminders again.
    """
    kind = MESSAGE_KINDS[kind_code]
    if not messages:
        return []
    with transaction.atomic():
        _serialise(kind.code)
        return _dispatch(kind, messages, dry_run)


def _serialise(kind_code: str) -> None:
    """Two runs sending one kind at once (a reminder run by hand during the nightly one, a
    redelivered event job) wait for each other, so the second finds what the first logged and
    sends nothing twice. PostgreSQL: a transaction-level advisory lock on a stable hash of the
    kind; SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"portal.notice:{kind_code}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _dispatch(kind: MessageKind, messages: list[Message], dry_run: bool) -> list[Message]:
    emails, names = {}, {}
    for pk, email, first, last, employee_name in (
        User.objects.filter(pk__in={m.user_id for m in messages}, is_active=True)
        .exclude(email="")
        .values_list("pk", "email", "first_name", "last_name", "employee__name")
    ):
        emails[pk], names[pk] = email, recipient_name(first, last, employee_name)
    off = (
        set()
        if kind.mandatory
        else set(NoticeOptOut.objects.filter(kind=kind.code, user_id__in=emails).values_list("user_id", flat=True))
    )
    logged = {
        (recipient, key): print_
        for recipient, key, print_ in Notice.objects.filter(
            kind=kind.code, recipient_id__in=emails, key__in={m.key for m in messages}
        ).values_list("recipient_id", "key", "fingerprint")
    }
    due, seen = [], set()
    for message in messages:
        slot = (message.user_id, message.key)
        if message.user_id in emails and message.user_id not in off and logged.get(slot) != message.fingerprint:
            if slot not in seen:
                seen.add(slot)
                due.append(message)
    if dry_run or not due:
        return due
    mails = [EmailMessage(m.subject, addressed(m.body, names[m.user_id]), None, [emails[m.user_id]]) for m in due]
    get_connection().send_messages(mails)
    now = clock.now()
    Notice.objects.bulk_create(
        [
            Notice(
                recipient_id=m.user_id,
                kind=kind.code,
                key=m.key,
                fingerprint=m.fingerprint,
                subject=m.subject[:200],
                email=emails[m.user_id],
                sent_at=now,
            )
            for m in due
        ],
        update_conflicts=True,
        unique_fields=["recipient", "kind", "key"],
        update_fields=["fingerprint", "subject", "email", "sent_at"],
    )
    log.info("sent %d message(s) of kind %s", len(due), kind.code)
    return due


class _Pending:
    """Events announced in one transaction, queued together once it commits."""

    def __init__(self):
        self.items: dict[str, list[tuple[int, str]]] = {}
        self.done = False

    def flush(self):
        self.done = True
        for kind, items in self.items.items():
            send_event_notices.delay(kind, items)


def announce(kind: str, pk: int) -> None:
    """Send the event message `kind` about object `pk` once the current transaction commits
    (at once outside a transaction); a rollback sends nothing. Events of one transaction go
    in one job per kind. Called by `Machine.move` for the registered transitions, and by
    services that create a row (an application waiting for its 核章)."""
    current = transaction.get_connection()
    pending = getattr(current, "_portal_notices", None)
    fresh = pending is None or pending.done or not any(entry[1] == pending.flush for entry in current.run_on_commit)
    if fresh:
        pending = _Pending()
        current._portal_notices = pending
    pending.items.setdefault(kind, []).append((pk, clock.now().isoformat()))
    if fresh:  # outside a transaction, on_commit runs the flush at once
        transaction.on_commit(pending.flush)


def send_event(kind_code: str, items: list[tuple[int, str]]) -> list[Message]:
    """Build and send the messages of one event kind for [(object id, ISO moment)]: the job
    `announce` queues. Returns the messages sent."""
    kind = MESSAGE_KINDS.get(kind_code)
    if kind is None or kind.build is None:
        log.warning("no message builder for kind %s", kind_code)
        return []
    return dispatch(kind_code, kind.build([(int(pk), str(moment)) for pk, moment in items]))


# A mail server that is down (smtplib's errors are OSErrors) is tried again later.
@shared_task(
    name="portal.send_event_notices", acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5
)
def send_event_notices(kind: str, items: list) -> int:
    """Celery job: the event messages of one kind (see `announce`); returns how many were sent."""
    return len(send_event(kind, items))


def reminder_kinds() -> list[MessageKind]:
    """The kinds sent every night, in registration order."""
    return [k for k in MESSAGE_KINDS.values() if k.find is not None and k.remind]


def send_reminders(as_of: dt.date | None = None, *, dry_run: bool = False) -> dict[str, list[Message]]:
    """Send every reminder due as of a date (default today): kind code -> the messages sent
    (with `dry_run`, those that would be). Nightly (`portal.send_reminders`, Celery beat) and
    `manage.py send_reminders`. Each kind finds its people in a fixed number of queries and
    `dispatch` sends each message once (until what matters in it changes)."""
    as_of = as_of or clock.today()
    sent = {}
    for kind in reminder_kinds():
        sent[kind.code] = dispatch(kind.code, kind.find(as_of), dry_run=dry_run)
    return sent


@shared_task(name="portal.send_reminders")
def send_reminders_task(as_of: str | None = None) -> int:
    """Celery beat, nightly: the reminders due today (or on the ISO date `as_of`); returns how
    many were sent."""
    day = dt.date.fromisoformat(as_of) if as_of else None
    return sum(len(messages) for messages in send_reminders(day).values())


# --- the to-do list and the preferences ------------------------------------------------------


def audiences(user) -> set[str]:
    """The audiences a user belongs to: EMPLOYEE with an employee record, and their role's."""
    found = {EMPLOYEE} if user.employee_id else set()
    if user.is_hr:
        found.add(HR)
    if user.role == Role.COORDINATOR:
        found.add(COORDINATOR)
    if user.role == Role.SUPERVISOR:
        found.add(SUPERVISOR)
    return found


def todo(user, as_of: dt.date | None = None) -> list[Message]:
    """The user's to-do list: the items of every found kind of their audiences, the same as the
    reminders would send them (whether or not they turned the e-mail off)."""
    as_of = as_of or clock.today()
    mine = audiences(user)
    items = []
    for kind in MESSAGE_KINDS.values():
        if kind.find is not None and kind.audience in mine:
            items += [m for m in kind.find(as_of, user_ids=[user.pk]) if m.user_id == user.pk]
    return items


def todo_panel(user) -> dict:
    """Home-page panel (registered by PortalConfig.ready): {"todo": [Message, ...]}."""
    return {"todo": todo(user)} if user.is_authenticated else {}


def kinds_for(user) -> list[MessageKind]:
    """The message kinds a user may receive (their audiences'), for the preferences page."""
    mine = audiences(user)
    return [k for k in MESSAGE_KINDS.values() if k.audience in mine and (k.build or k.remind)]


def opted_out(user) -> set[str]:
    """The kinds the user turned off."""
    return set(NoticeOptOut.objects.filter(user=user).values_list("kind", flat=True))


@transaction.atomic
def set_opt_outs(user, off: set[str]) -> set[str]:
    """The user turns off exactly the kinds `off` (issue 18 item 5); mandatory kinds and kinds
    not theirs are ignored. Under a lock on the user's row; writes an audit entry when
    something changed. Returns the kinds now off."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    allowed = {k.code for k in kinds_for(user) if not k.mandatory}
    wanted = set(off) & allowed
    before = opted_out(user)
    if wanted == before:
        return before
    NoticeOptOut.objects.filter(user=user).exclude(kind__in=wanted).delete()
    NoticeOptOut.objects.bulk_create(
        [NoticeOptOut(user=user, kind=k) for k in sorted(wanted - before)], ignore_conflicts=True
    )
    audit.record(
        user,
        "notice_preferences",
        user,
        "通知設定：不接收 " + ("、".join(str(MESSAGE_KINDS[k].label) for k in sorted(wanted)) or "（無）"),
        before={"off": sorted(before)},
        after={"off": sorted(wanted)},
    )
    return wanted
