"""`field__any_of=[…]`: membership in a list of values passed as one parameter.

Django's `__in` writes one placeholder per value. A chunk of a streamed evaluation names its
2,000 employees in every one of its queries; as 2,000 parameters each statement is long to
send and to parse, and as a range of national IDs the planner may find the chunk again
through the coverage's conditions (issue 20). On PostgreSQL `any_of` is `= ANY(%s)` with one
array; elsewhere (SQLite) it falls back to `IN (…)`.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    """`field__any_of=values`: the field equals one of `values` (a list; empty matches nothing)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(v) for v in self.rhs]

    def _parts(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        return lhs, list(lhs_params), values

    def as_sql(self, compiler, connection):
        lhs, params, values = self._parts(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*params, *values)

    def as_postgresql(self, compiler, connection):
        lhs, params, values = self._parts(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, values)
