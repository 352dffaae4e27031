"""The next chunk's rows read while this chunk is worked on (issue 20: evaluation near the
speed of one GROUP BY).

A streamed evaluation (`incentives.evaluation.evaluate_stream`) runs, chunk after chunk, the
same few statements with the chunk's employee keys (`portal.lookups.Keys`) as their one
array parameter, and then works on the rows in Python. `Ahead` records a chunk's statements
as they run, sends them again on a second connection with the next chunk's keys in place of
this one's, and lets the Python work go on while PostgreSQL answers them; when the next
chunk runs the same statement, its rows are taken from that answer instead of a round trip
and a wait. A statement the next chunk does not run is dropped; one it runs that was not
sent runs as usual. No thread: libpq's asynchronous calls on the second connection.

Only on PostgreSQL, in autocommit (outside any transaction, since the second connection
would not see its writes), and with `EVALUATION_PREFETCH` on. The rows are what the
queryset would give (Django's converters applied); only `values_list` querysets are taken
ahead.
"""

import logging
import select

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import ValuesListIterable
from psycopg import pq
from psycopg.adapt import Transformer

from .lookups import Keys

log = logging.getLogger(__name__)


class Ahead:
    """Statements of one chunk, sent again for the next chunk's keys (see the module).

    Use: `ahead = Ahead.open()` (None where it cannot be used), then for each chunk
    `ahead.start(keys, next_keys)`, `ahead.rows(queryset)` in place of `list(queryset)`,
    `ahead.send()` once the chunk's statements have run, and `ahead.close()` at the end
    (also on error).
    """

    def __init__(self, alias: str, connection: psycopg.Connection):
        self.alias = alias
        self.connection = connection
        self.keys: Keys | None = None  # the keys of the chunk being recorded
        self.next_keys: Keys | None = None
        self.recorded: list[tuple[str, tuple]] = []
        self.sent: list[tuple[str, tuple]] = []  # in flight, answers not read yet
        self.extra: list[tuple[str, tuple]] = []  # statements to send with the next chunk's
        self.ready: dict[tuple[str, tuple], list] = {}

    @classmethod
    def open(cls, alias: str = "default") -> "Ahead | None":
        """A second connection to the same PostgreSQL database, or None: another database,
        a transaction in progress on `alias`, or EVALUATION_PREFETCH off."""
        django_connection = connections[alias]
        if (
            not getattr(settings, "EVALUATION_PREFETCH", True)
            or django_connection.vendor != "postgresql"
            or django_connection.in_atomic_block
        ):
            return None
        # Django's own connection parameters: password and options included (the live
        # connection's DSN leaves the password out), and its adapters, so that a value is
        # loaded as Django's connection loads it (an aware datetime in UTC); not its cursors.
        params = {
            k: v
            for k, v in django_connection.get_connection_params().items()
            if k not in ("cursor_factory", "prepare_threshold")
        }
        return cls(alias, psycopg.connect(**params, autocommit=True))

    def start(self, keys: Keys, next_keys: Keys | None) -> None:
        """The chunk of `keys` begins, `next_keys` the one after it (None: none after): its
        statements are recorded from now on."""
        self.keys, self.next_keys, self.recorded = keys, next_keys, []

    def rows(self, queryset) -> list[tuple]:
        """`list(queryset)`, from the answer sent ahead when there is one (then no query)."""
        if queryset._iterable_class is not ValuesListIterable:
            return list(queryset)
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
        key = (sql, tuple(params))
        if self.keys is not None and self.keys.literal in key[1]:
            self.recorded.append(key)
        if self.sent:
            self._collect()
        raw = self.ready.pop(key, None)
        if raw is None:
            return list(queryset)
        return list(compiler.results_iter(results=[raw], tuple_expected=True))

    def also(self, queryset) -> None:
        """Send `queryset` (a `values_list`) with the next chunk's statements: a statement
        the next chunk's keys do not give, such as the roster of the chunk after it."""
        if queryset._iterable_class is not ValuesListIterable:
            return
        try:
            sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            return
        self.extra.append((sql, tuple(params)))

    def send(self) -> None:
        """Send the recorded statements again with the next chunk's keys for this chunk's;
        their answers are read when the next chunk asks for them."""
        if self.sent:
            self._collect()
        self.ready = {}
        next_keys, statements, self.extra = self.next_keys, self.extra, []
        if self.keys is not None and next_keys:
            old = self.keys.literal
            for sql, params in dict.fromkeys(self.recorded):
                statements.append((sql, tuple(next_keys.literal if p == old else p for p in params)))
        if not statements:
            return
        cursor = psycopg.ClientCursor(self.connection)
        text = ";\n".join(cursor.mogrify(sql, params) for sql, params in statements)
        pgconn = self.connection.pgconn
        pgconn.send_query(text.encode(self.connection.info.encoding))  # raises if it cannot
        while pgconn.flush():
            select.select([], [pgconn.socket], [])
        self.sent = statements

    def _collect(self) -> None:
        """Read the answers of the statements in flight, in order, into `ready`."""
        pgconn, results = self.connection.pgconn, []
        while True:
            pgconn.consume_input()
            if pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                continue
            result = pgconn.get_result()
            if result is None:
                break
            results.append(result)
        statements, self.sent = self.sent, []
        for (sql, params), result in zip(statements, results, strict=False):
            if result.status != pq.ExecStatus.TUPLES_OK:
                # A statement sent ahead that failed is simply run again by its chunk, which
                # then raises its error the usual way.
                log.warning("prefetch: a statement sent ahead failed (%s)", result.status.name)
                continue
            loader = Transformer(self.connection)
            loader.set_pgresult(result)
            self.ready[(sql, params)] = loader.load_rows(0, result.ntuples, tuple)

    def close(self) -> None:
        """Drop what is in flight and close the second connection."""
        self.sent, self.ready = [], {}
        self.connection.close()
