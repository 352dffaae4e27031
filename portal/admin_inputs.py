"""The admin's add pages take initial values from the query string (`?agency=3`)."""

from .params import parse_int


class SafeInitialDataMixin:
    """Drops initial values of relations that are not valid ids.

    Django's autocomplete widget looks an initial value up as it renders, so `?agency=abc`
    or 23 digits on an add page would be a 500; a bad value simply leaves the field empty.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        relations = {f.name for f in self.model._meta.get_fields() if f.is_relation and f.concrete}
        return {
            name: value
            for name, value in initial.items()
            if name not in relations or all(parse_int(v) is not None for v in str(value).split(","))
        }
