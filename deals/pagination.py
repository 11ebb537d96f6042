"""Pagination for the list pages at any size (issue 17).

``ListPaginator`` is Django's ``Paginator`` with three changes, each one query whatever the
number of rows, so a list page's query count is flat:

- **count without scanning the table.** The count is exact up to ``exact_limit`` rows
  (``SELECT count(*) FROM (... LIMIT exact_limit + 1)``: an index scan of at most that many
  entries). Beyond it, an unfiltered list on PostgreSQL takes the planner's row estimate of
  the table (``pg_class.reltuples``, kept by autovacuum/ANALYZE) -- in the same query, the
  capped count is not even run then -- and a filtered list says "more than 10,000": the
  clerk narrows the filter rather than paging 400 pages deep. ``count_is_estimate`` /
  ``count_is_floor`` tell the pager how to word it.
- **a page number past the end answers at once.** ``get_page`` gives an empty page
  (``past_end``) instead of re-running the list for the last page; the pager links to the
  last page. A number that is not a number is page 1.
- **deep pages read only the page's rows.** The page is ``WHERE pk IN (SELECT pk ... ORDER BY
  ... LIMIT 25 OFFSET n)`` ordered again outside: the inner select walks the ordering index
  on narrow rows (no snapshot JSON, no joins), and only 25 full rows are fetched. Callers
  ``defer()`` big columns the list does not show.
"""

from __future__ import annotations

import math

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_LIMIT = 10_000


class ListPage(Page):
    past_end = False

    def has_next(self) -> bool:
        # past an estimated/floored count the page itself tells whether rows go on
        p = self.paginator
        if (p.count_is_estimate or p.count_is_floor) and not self.past_end:
            return self.number < p.num_pages or len(self.object_list) == p.per_page
        return super().has_next()


class ListPaginator(Paginator):
    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, exact_limit: int = EXACT_LIMIT):
        # positional like Django's (the admin's ChangeList calls it so)
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.exact_limit = exact_limit
        self.count_is_estimate = False  # planner estimate of an unfiltered table (PostgreSQL)
        self.count_is_floor = False  # "more than exact_limit" (filtered list past the limit)

    def _get_page(self, *args, **kwargs):
        return ListPage(*args, **kwargs)

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not hasattr(qs, "query"):  # a plain list
            return len(qs)
        connection = connections[qs.db]
        capped = qs.order_by().values("pk")[: self.exact_limit + 1]
        sql, params = capped.query.sql_with_params()
        unfiltered = not qs.query.where and not qs.query.distinct
        if connection.vendor == "postgresql" and unfiltered:
            table = qs.model._meta.db_table
            # the planner's estimate only when the capped count (at most exact_limit + 1 index entries)
            # confirms the table really is past the limit: statistics can be stale (an ANALYZE before
            # rows were deleted or rolled back), and a small list must still get its exact count
            query = (
                f"WITH capped_n AS (SELECT count(*) AS n FROM ({sql}) capped) "
                "SELECT CASE WHEN capped_n.n > %s AND c.reltuples > %s THEN c.reltuples::bigint ELSE capped_n.n END "
                "FROM capped_n LEFT JOIN pg_class c ON c.oid = %s::regclass"
            )
            args = (*params, self.exact_limit, self.exact_limit, connection.ops.quote_name(table))
        else:
            query, args = f"SELECT count(*) FROM ({sql}) capped", params
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            n = int(cursor.fetchone()[0])
        if n > self.exact_limit:
            if unfiltered and connection.vendor == "postgresql":
                self.count_is_estimate = True
            else:
                self.count_is_floor = True
        return n

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(max(1, self.count - self.orphans) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count and not (self.count_is_estimate or self.count_is_floor):
            top = self.count
        qs = self.object_list
        if hasattr(qs, "query") and bottom > 0:
            ids = qs.values("pk")[bottom:top]
            rows = qs.filter(pk__in=ids)
        else:
            rows = qs[bottom:top]
        return self._get_page(rows, number, self)

    def validate_number(self, number):
        number = self._as_int(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > self.num_pages and not (self.count_is_estimate or self.count_is_floor):
            if number == 1 and self.allow_empty_first_page:
                return number
            raise EmptyPage("That page contains no results")
        return number

    @staticmethod
    def _as_int(number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            return int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None

    def get_page(self, number):
        """Page ``number``; page 1 for anything that is not a number; past the end an empty page
        at once (``past_end``), without reading the list again."""
        try:
            number = self._as_int(number)
        except PageNotAnInteger:
            number = 1
        number = max(1, number)
        try:
            return self.page(number)
        except EmptyPage:
            page = self._get_page([], number, self)
            page.past_end = True
            return page
