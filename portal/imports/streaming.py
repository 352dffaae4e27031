"""Streamed imports: clean chunks go to a staging table and are merged in one transaction.

On PostgreSQL, when the caller is not inside a transaction of its own, the database work
runs in a writer thread with its own connection: while the database stages, merges and
checks the foreign keys of one chunk, this thread reads and cleans the next. That thread's
transaction holds every chunk's merge, so a file with a problem anywhere, or a worker that
dies, still writes nothing. Progress is written on the caller's connection, so it shows
while the import runs.

Elsewhere (SQLite, whose single writer would block the progress writes, or an import
called inside a transaction, whose rows the writer could not see) the same steps run in
this thread: chunks are staged as they come and merged at the end.
"""

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from . import rows as limits
from .rows import Chunk, Counts, ImportResult, RowError, rejected, serialise_kind
from .upsert import Staging

Chunks = Iterable[Chunk]

# Chunks waiting for the writer: enough to keep it busy, few enough to keep memory flat.
QUEUE_CHUNKS = 2
# While the writer runs, the interpreter hands over between threads every millisecond
# instead of every five: each time the database answers, the writer waits for the reading
# thread to let go, and at 5 ms those waits made a 200,000-row import a fifth slower.
SWITCH_INTERVAL = 0.001


def run_streamed(
    importer,
    chunks: Chunks,
    dry_run: bool,
    on_applied: Callable[[ImportResult], None] | None,
    progress: Callable[[int], None],
) -> ImportResult:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        result = _in_writer_thread(importer, chunks, dry_run, on_applied)
    else:
        with Sink(importer, dry_run, on_applied, merge_each_chunk=False) as sink:
            for chunk in chunks:
                sink.write(*sink.prepare(chunk))
            result = sink.finish()
    progress(100)
    return result


class Sink:
    """Takes an importer's cleaned chunks to the database (see `Upsert`).

    With `merge_each_chunk` each valid chunk is merged as it comes, and the caller must hold
    a transaction around the whole and roll it back unless `finish()` says ok; otherwise the
    chunks are only staged and `finish()` merges them in a transaction of its own.
    """

    def __init__(self, importer, dry_run: bool, on_applied, merge_each_chunk: bool):
        spec = importer.upsert
        self.importer = importer
        self.spec = spec
        self.dry_run = dry_run
        self.on_applied = on_applied
        self.merge_each_chunk = merge_each_chunk and not dry_run
        # Every row remembers the batch that last wrote it, where its table has the column.
        extra = (
            {"batch_id": importer.options.get("batch_id")}
            if any(f.attname == "batch_id" for f in spec.model._meta.concrete_fields)
            else {}
        )
        self.staging = Staging(
            spec.model, spec.key, spec.fields, extra, chunked=self.merge_each_chunk, cleared=spec.cleared
        )
        self.errors: list[RowError] = []
        self.total = 0
        self.counts = Counts()
        self.fresh = False  # the last merged chunk held only new keys
        # Every chunk so far was merged and held only new keys: then no key can have come
        # twice, since a key's second coming would have found it in the table.
        self.all_new = self.merge_each_chunk
        self.repeats = False  # a chunk held a key twice

    def __enter__(self) -> "Sink":
        if connection.in_atomic_block:
            # Before the first comparison with the table (each merge counts what it creates),
            # held to the commit: see serialise_kind.
            serialise_kind(self.importer.kind)
        self.staging.__enter__()
        if self.merge_each_chunk:
            with connection.cursor() as cursor:
                # Foreign keys checked with each chunk's merge, not all at once at the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return self

    def __exit__(self, *exc_info) -> None:
        self.staging.__exit__(*exc_info)

    def prepare(self, chunk: Chunk) -> tuple:
        """Check one chunk (with the problems its cells already showed) and ready it for
        `write`. Uses the database for look-ups only, never the staging table."""
        self.total += chunk.read
        self.importer.validate_clean_rows(chunk)
        self.errors.extend(chunk.errors[: limits.MAX_ERRORS - len(self.errors)])
        # Staged even once the file is known to be rejected: the duplicates among its clean
        # rows are problems to report too.
        keys = [chunk[name] for name in self.spec.key]
        if self.merge_each_chunk and not self.repeats:
            # A key twice in one chunk cannot be merged in one statement; the file is
            # rejected anyway (`duplicates` lists it), so nothing more is merged.
            self.repeats = len(set(zip(*keys))) < len(chunk)
        columns = keys + [chunk[name] for name in self.spec.fields]
        return self.staging.prepare(
            chunk.numbers, columns
        ), self.merge_each_chunk and not self.errors and not self.repeats

    def write(self, staged, merge: bool) -> None:
        staging = self.staging
        self.all_new = self.all_new and merge
        if merge and self.fresh and staging.copy_new(staged):
            # The last chunk was all new keys and so was this one: straight in with COPY.
            self.counts += Counts(created=staged[0] if staged else 0)
            return
        staging.add_prepared(staged)
        if not merge or not staging.size:
            return
        counts = staging.counts()
        if counts.created or counts.updated:
            staging.merge()
        self.fresh = counts.created == staging.size
        self.all_new = self.all_new and self.fresh
        self.counts += counts

    def finish(self) -> ImportResult:
        errors = self.errors
        if self.total == 0 and not errors:
            errors.append(RowError(0, "", _("檔案沒有任何資料列。")))
        for row, first in [] if self.all_new else self.staging.duplicates():
            errors.append(RowError(row, self.spec.duplicate_column, _("與第 %(n)d 列重複") % {"n": first}))
        if errors:
            return rejected(errors, self.total, self.dry_run)
        window = self.importer.window()
        if self.merge_each_chunk:
            self._complete(window, write=True)
            self._applied()
        else:
            self.counts = self.staging.counts()
            if self.dry_run:
                self._complete(window, write=False)
                if self.spec.cleared:  # importers whose rows can be withdrawn preview them row by row
                    self.counts.additions = self.staging.new_rows(limits.REPORT_ROWS)
            else:
                with transaction.atomic():
                    serialise_kind(self.importer.kind)
                    if self.counts.created or self.counts.updated:  # a file imported again writes nothing
                        self.staging.merge()
                    self._complete(window, write=True)
                    self._applied()
        return ImportResult(ok=True, total_rows=self.total, counts=self.counts, dry_run=self.dry_run)

    def _complete(self, window, write: bool) -> None:
        """With a window (the file is complete for its people over it), after the merge: list
        and withdraw (or, with `write` false, only list and count) the rows the file no longer
        holds, and pair them with the file's rows into corrections. A fixed number of
        set-based statements, whatever the file's size; none without a window."""
        if window is None:
            return
        staging, same = self.staging, self.spec.correction_fields
        # Listed before the withdrawal, which changes what `missing_*` select.
        withdrawals = staging.missing_rows(window, limits.MAX_AUDITED_CHANGES)
        if not withdrawals:
            return
        partners = staging.partners(window, same, limits.MAX_AUDITED_CHANGES) if same else []
        self.counts.withdrawals = withdrawals
        self.counts.corrections = pair_corrections(withdrawals, partners, same)
        if write:
            self.counts.withdrawn = staging.withdraw(window, self.importer.withdrawal_stamp())
        elif len(withdrawals) < limits.MAX_AUDITED_CHANGES:
            self.counts.withdrawn = len(withdrawals)
        else:
            self.counts.withdrawn = staging.missing_count(window)

    def _applied(self) -> None:
        if self.on_applied is not None:
            self.on_applied(ImportResult(ok=True, total_rows=self.total, counts=self.counts))


def pair_corrections(withdrawals: list[dict], partners: list[dict], same: list[str]) -> list[dict]:
    """Pair each withdrawn row with a row of the file equal on the key fields `same`, one to
    one, in key order within each group (a course withdrawn on 03-10 and present on 03-12 is
    one correction). `withdrawals` as `Staging.missing_rows` gives them, `partners` as keys.
    Returns [{"key": withdrawn key, "values": its values, "after_key": the file's key}]."""

    def group(key: dict) -> tuple:
        return tuple(key[name] for name in same)

    waiting: dict[tuple, list[dict]] = {}
    for key in sorted(partners, key=lambda k: tuple(map(str, k.values()))):
        waiting.setdefault(group(key), []).append(key)
    corrections = []
    for row in withdrawals:  # in key order already
        candidates = waiting.get(group(row["key"]))
        if candidates:
            corrections.append({**row, "after_key": candidates.pop(0)})
    return corrections


class _Discard(Exception):
    """Leave the writer's transaction without committing."""


_END = object()
_ABANDON = object()


def _in_writer_thread(importer, chunks: Chunks, dry_run, on_applied) -> ImportResult:
    """Read, clean and check here; stage, merge and commit in a writer thread.

    The writer only waits on the database, so that it hardly ever needs the interpreter
    while this thread works.
    """
    sink = Sink(importer, dry_run, on_applied, merge_each_chunk=True)
    waiting: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    outcome: dict = {}
    language = translation.get_language()

    def write() -> None:
        try:
            with translation.override(language), transaction.atomic():
                with sink:
                    ready.set()
                    while (item := waiting.get()) is not _END:
                        if item is _ABANDON:
                            raise _Discard
                        sink.write(*item)
                    outcome["result"] = result = sink.finish()
                if not result.ok:
                    raise _Discard  # chunks merged before the problem was seen are undone
        except _Discard:
            pass
        except BaseException as exc:  # handed to the reading thread, which raises it
            outcome["error"] = exc
        finally:
            ready.set()
            connection.close()  # the writer's own connection

    ready = threading.Event()
    writer = threading.Thread(target=write, name=f"import-{importer.kind}", daemon=True)
    with _switch_interval(SWITCH_INTERVAL):
        writer.start()
        ready.wait()  # the staging table exists before the first chunk is prepared
        return _feed(writer, waiting, sink, chunks, outcome)


@contextlib.contextmanager
def _switch_interval(seconds: float):
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _feed(writer: threading.Thread, waiting: queue.Queue, sink: Sink, chunks: Chunks, outcome: dict) -> ImportResult:

    def send(item) -> None:
        while writer.is_alive():
            try:
                waiting.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    try:
        for chunk in chunks:
            if not writer.is_alive():
                break
            send(sink.prepare(chunk))
    except BaseException:
        send(_ABANDON)  # the writer rolls back, then the reading error goes on up
        writer.join()
        raise
    send(_END)
    writer.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
