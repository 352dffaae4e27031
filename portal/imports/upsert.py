"""Idempotent bulk upsert on a natural key, counting what changed."""
from .base import Counts
from .lookups import chunks


def bulk_upsert(model, rows: list[dict], key_fields: list[str], update_fields: list[str],
                batch_size: int = 2000, extra: dict | None = None) -> Counts:
    """Insert new rows, update changed ones, leave equal ones alone.

    Existing rows are read in chunks on the first key field, so the number of queries
    grows with the file size divided by 5,000, never per row. `extra` values are written
    but not compared (for example the batch that last wrote a row).
    """
    counts = Counts()
    if not rows:
        return counts
    wanted = {tuple(r[k] for k in key_fields): r for r in rows}
    scope = key_fields[0]
    existing: dict[tuple, dict] = {}
    for part in chunks({k[0] for k in wanted}):
        for values in model.objects.filter(**{f"{scope}__in": part}).values(*key_fields, *update_fields):
            existing[tuple(values[k] for k in key_fields)] = values
    writes = []
    for key, row in wanted.items():
        before = existing.get(key)
        if before is None:
            counts.created += 1
        elif all(before[f] == row[f] for f in update_fields):
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
        writes.append(model(**row, **(extra or {})))
    if writes:
        model.objects.bulk_create(writes, batch_size=batch_size, update_conflicts=True,
                                  unique_fields=key_fields, update_fields=update_fields + list(extra or {}))
    return counts
