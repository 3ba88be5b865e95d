"""Pages of long lists without counting every row (issue #18).

Django's ``Paginator`` runs ``COUNT(*)`` over the whole result to print "N tasks" and "page 1 of
M": on the district's board that is every upcoming task, counted again for each visitor.
``CappedPaginator`` counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``),
so the cost stops growing past the cap. Past it the page says "more than <cap>", and the first
``cap`` rows can be paged through (narrower filters find the rest).
"""

from math import ceil

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page: int, cap: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return ceil(self.cap / self.per_page)
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, self.count - self.orphans) / self.per_page)


def page_of(request, object_list, *, long: bool = False, capped: bool = False):
    """The page of ``object_list`` the request asks for (``?page=``; a bad number gives the first or
    last page, as Django's ``get_page`` does). ``PAGE_SIZE`` rows a page, ``LONG_PAGE_SIZE`` for
    lists people scan rather than read (queues, directories, notifications); ``capped`` counts at
    most ``CappedPaginator``'s cap (a board anyone can open)."""
    per_page = settings.LONG_PAGE_SIZE if long else settings.PAGE_SIZE
    paginator = (CappedPaginator if capped else Paginator)(object_list, per_page)
    return paginator.get_page(request.GET.get("page"))
