"""A LIKE lookup with the pattern given as is (`_` and `%` are wildcards): Django's own lookups escape them."""

from django.db.models import CharField, Lookup


@CharField.register_lookup
class Like(Lookup):
    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", [*lhs_params, *rhs_params]
