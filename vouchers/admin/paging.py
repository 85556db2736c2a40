"""A paginator for very large tables: counts at most `COUNT_CAP` rows.

Django's admin counts every matching row on each page view; on a table of millions that count
costs more than the page itself. Counting a bounded subquery keeps every page's cost flat;
the page shows "more than N" when the cap is reached.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


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
