"""`field__any_of=Keys([...])`: membership in a list of keys passed as one parameter.

Django's `__in` writes one placeholder per value, and resolves and prepares each value. A
chunk of a streamed evaluation names its 2,000 employees in every one of its queries: as
2,000 parameters each statement is long to build, send and parse, and as a range of
national IDs the planner may find the chunk again through the coverage's conditions
(issue 20). `Keys` holds the integers once, with their array literal written once; on
PostgreSQL `any_of` is `= ANY(%s::bigint[])` with that one parameter, elsewhere (SQLite)
`IN (…)`.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


class Keys:
    """Integer keys (primary keys), for `__any_of`: written once as an array literal, and
    opaque to Django's lookup resolution, which would otherwise visit every item of a list."""

    __slots__ = ("keys", "literal")

    def __init__(self, keys):
        self.keys = [int(k) for k in keys]
        self.literal = "{" + ",".join(map(str, self.keys)) + "}"

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.keys)


@Field.register_lookup
class AnyOf(Lookup):
    """`field__any_of=Keys(…)` (or any iterable of integers): the field equals one of them;
    none matches nothing."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs if isinstance(self.rhs, Keys) else Keys(self.rhs)

    def as_sql(self, compiler, connection):
        if not self.rhs.keys:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs.keys))})", (*params, *self.rhs.keys)

    def as_postgresql(self, compiler, connection):
        if not self.rhs.keys:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*params, self.rhs.literal)
