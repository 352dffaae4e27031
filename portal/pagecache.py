"""A never-stale cache of computed pages (issue 20): every key carries the data generation.

The **data generation** is one counter in Django's cache (`CACHES`). Every statement that
writes through one of Django's database connections — the ORM, `bulk_create`,
`QuerySet.update`, raw cursors, DDL, and the imports' COPY (`note_write`) — bumps it: at
once in autocommit, else when its transaction commits (`transaction.on_commit`), so a page
computed by another process before the commit is never served after it. A rolled-back write
bumps nothing (its callback is dropped with the transaction or savepoint); nothing it wrote
was ever visible to another connection, and its own connection does not use the cache while
it holds uncommitted writes (`may_use`). A page cached under an older generation is simply
never asked for again and expires.

Writes that cannot change any page do not bump (`QUIET_TABLES`), or logging in would
invalidate every page. A statement whose kind or table cannot be told is counted as a write.

Writes outside Django's connections (psql by hand, a raw psycopg connection such as the
benchmark's COPY) do not bump: run `manage.py clear_page_cache` after them.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "portal:data-generation"

# Tables whose writes no page shows, so they never bump the generation:
QUIET_TABLES = frozenset(
    {
        "django_session",  # sessions: written by every log-in and by messages
        "portal_auditentry",  # the audit log: shown to HR in the admin, not on cached pages
        "portal_notice",  # the sent-notice log (issue 18): what was e-mailed, for de-duplication
        "axes_accessattempt",  # log-in attempts and lock-outs (django-axes)
        "axes_accesslog",
        "axes_accessfailurelog",
        "django_celery_beat_periodictask",  # the scheduler's own bookkeeping (last run times)
        "django_celery_beat_periodictasks",
        "django_celery_results_taskresult",  # Celery results, should the database backend be used
    }
)

# Statements that never change data: reads, transaction control, settings, maintenance.
_READS = frozenset(
    {"SELECT", "SHOW", "EXPLAIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "START", "END"}
    | {"SET", "RESET", "PRAGMA", "VACUUM", "ANALYZE", "VALUES", "FETCH", "DECLARE", "CLOSE", "LISTEN"}
)
_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/)+", re.S)
_NAME = r'(?:"(?P<q>[^"]+)"|(?P<n>[\w$]+))(?:\.(?:"(?P<q2>[^"]+)"|(?P<n2>[\w$]+)))?'
_TARGETS = {
    "INSERT": re.compile(r"INSERT\s+(?:OR\s+\w+\s+)?INTO\s+" + _NAME, re.I),
    "UPDATE": re.compile(r"UPDATE\s+(?:ONLY\s+)?" + _NAME, re.I),
    "DELETE": re.compile(r"DELETE\s+FROM\s+(?:ONLY\s+)?" + _NAME, re.I),
    "TRUNCATE": re.compile(r"TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?" + _NAME + r"\s*(?:;|$|RESTART|CONTINUE)", re.I),
    "COPY": re.compile(r"COPY\s+" + _NAME + r"[^;]*?\bFROM\b", re.I | re.S),
}
# A user's last log-in time is written at every log-in; nothing else of the user changes with it.
_LAST_LOGIN = re.compile(
    r'^UPDATE\s+"portal_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\s+"portal_user"\."id"\s*=\s*%s$'
)


def _table(match) -> str:
    return match["q2"] or match["n2"] or match["q"] or match["n"]


def changes_data(sql: str) -> bool:
    """Whether `sql` may change what a page shows: False for reads, transaction control,
    `COPY … TO`, and writes to one of `QUIET_TABLES` (or only a user's `last_login`); True
    for every other write and for anything that cannot be told apart (fail safe)."""
    text = _COMMENTS.sub("", sql if isinstance(sql, str) else str(sql))
    first = re.match(r"[\s(]*(\w+)", text)
    word = first[1].upper() if first else ""
    if word in _READS:
        return False
    if word == "WITH":  # a writable CTE counts as a write
        return bool(re.search(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", text, re.I))
    if word == "COPY" and not re.search(r"\bFROM\b", text, re.I):
        return False  # COPY … TO: a read
    pattern = _TARGETS.get(word)
    match = pattern.match(text) if pattern else None
    if match is None:
        return True  # DDL, MERGE, REPLACE or a statement not parsed: counts as a write
    if word == "UPDATE" and _LAST_LOGIN.match(text.strip()):
        return False
    return _table(match) not in QUIET_TABLES


def generation() -> int:
    """The current data generation (an integer). A cache that lost the counter (evicted,
    flushed, restarted) starts a new one from the clock, never from an old value."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump() -> None:
    """Start a new data generation: every page cached so far is never served again."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter yet (or evicted): a new one, unlike any before
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def note_write(connection, sql: str) -> None:
    """Count `sql`, run (or about to run) on Django's `connection`, as a write if it is one:
    bump now in autocommit, else when the transaction commits. For statements that reach the
    database around the execute wrappers (a psycopg `COPY` on the raw cursor)."""
    if not changes_data(sql):
        return
    if not connection.in_atomic_block:
        bump()
        return
    connection.page_writes_pending = True
    # One callback a transaction; one dropped by a savepoint's rollback is registered again.
    if not any(func is _committed for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_committed, using=connection.alias)


def _committed() -> None:
    bump()


def _wrapper(connection):
    def execute(run, sql, params, many, context):
        note_write(connection, sql)
        return run(sql, params, many, context)

    execute.page_cache_wrapper = True
    return execute


def install(connection) -> None:
    """Watch every statement `connection` runs (once per connection object; idempotent)."""
    if not any(getattr(w, "page_cache_wrapper", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_wrapper(connection))


def on_connection_created(sender, connection, **kwargs) -> None:
    """`connection_created` receiver (portal.apps): install the write watch."""
    install(connection)


def may_use(connection) -> bool:
    """Whether a page may be read from or stored in the cache now: the cache is on
    (`EMPLOYEE_PAGE_CACHE`) and this connection holds no uncommitted write (which only it
    sees, and which a later rollback would take back)."""
    if not settings.EMPLOYEE_PAGE_CACHE:
        return False
    if not connection.in_atomic_block:
        connection.page_writes_pending = False  # any transaction with writes has ended
        return True
    return not getattr(connection, "page_writes_pending", False)


def _page_key(parts) -> str:
    return ":".join(["page", *(str(p) for p in parts)])


def lookup(*parts) -> tuple[int, object | None]:
    """(the current generation, the page stored under `parts` if it was computed in this
    generation, else None), in one cache round trip. `parts` are every input of the page but
    the data (the person, the day, the language, the query's parameters); a page is stored with
    the generation it was computed in (`store`), so one of an older generation is never served."""
    found = cache.get_many([GENERATION_KEY, _page_key(parts)])
    current = found.get(GENERATION_KEY)
    if current is None:
        return generation(), None
    stored = found.get(_page_key(parts))
    if stored is not None and stored[0] == current:
        return current, stored[1]
    return current, None


def store(generation_read: int, value, *parts) -> None:
    """Keep `value`, computed from data read after `generation_read` was (`lookup`), for
    `EMPLOYEE_PAGE_CACHE` seconds: a write committed meanwhile has bumped the generation, so
    the value is never served."""
    cache.set(_page_key(parts), (generation_read, value), timeout=int(settings.EMPLOYEE_PAGE_CACHE))
