"""Big lists: a paginator that counts at most `COUNT_CAP` rows, and the checks of a list's query
string (page, ordering, dates, NUL characters) by the project's one parsing rule.

Django's admin counts every matching row on each page view; on a table of millions that count
costs more than the page itself. Counting a bounded subquery keeps every page's cost flat;
the page shows "more than N" when the cap is reached.

A list query that breaks the rule is refused the way Django refuses a wrong filter: the list
redirects to itself with ``?e=1`` ("Database error" page only if that repeats), the CSV export
and "select all" say the filters are not valid. Nothing reaches the database.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core.parsing import InputError, check_text, parse_datetime, parse_int

COUNT_CAP = 10_000
MAX_COLUMN = 1000


class CappedCountPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self):
        # Without the ordering: the first COUNT_CAP + 1 rows in any order are as many, and the
        # database may then count from any index instead of sorting the matching rows first.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self):
        return self.count > COUNT_CAP


def list_query_problem(query) -> str:
    """What is wrong with a changelist query (a QueryDict), or "" when nothing is."""
    try:
        for key, values in query.lists():
            check_text(key, label="A parameter name")
            for value in values:
                check_text(value, label=f"The value of {key}")
        if PAGE_VAR in query:
            parse_int(query[PAGE_VAR], label="The page number", minimum=1)
        for column in filter(None, query.get(ORDER_VAR, "").split(".")):
            parse_int(column.removeprefix("-"), label="The sort column", maximum=MAX_COLUMN)
    except InputError as error:
        return str(error)
    return ""


class CheckedQuery:
    """ModelAdmin mixin: a list query that breaks the parsing rule is refused as Django refuses
    an unknown filter (IncorrectLookupParameters); an empty ``?_to_field=`` on an object's page
    means the primary key (Django looks up a field named "" and fails with a server error)."""

    def get_changelist_instance(self, request):
        problem = list_query_problem(request.GET)
        if problem:
            raise IncorrectLookupParameters(problem)
        return super().get_changelist_instance(request)

    def get_object(self, request, object_id, from_field=None):
        return super().get_object(request, object_id, from_field or None)


class CheckedDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date filter, with its bounds read by :func:`core.parsing.parse_datetime`
    (Django's own reading takes non-ASCII digits, and a year-9999 date with a time zone
    overflows when converted to UTC)."""

    def queryset(self, request, queryset):
        for name in (self.lookup_kwarg_since, self.lookup_kwarg_until):
            if name not in self.used_parameters:
                continue
            given = self.used_parameters[name]
            values = given if isinstance(given, list) else [given]
            try:
                parsed = [parse_datetime(value, label="The date") for value in values]
            except InputError as error:
                raise IncorrectLookupParameters(error) from None
            self.used_parameters[name] = parsed if isinstance(given, list) else parsed[0]
        return super().queryset(request, queryset)
