"""The new pages of issue #35 (assistance inbox, policy search, a room's week, a budget's results)
are kept for the signed-in person who reads them (core/pagecache.py), and a write to what they show
is on the next read: the new application in the inbox, the new policy in the search, the new
booking in the week, the new proposal in the results."""

import pytest
import time_machine
from django.utils import timezone

from tests.pagecache_redis import page_cache_on  # noqa: F401 - a fixture
from tests.test_query_counts import NEW_PAGE_QUERIES, new_page_scenarios, world  # noqa: F401 - world is a fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", list(NEW_PAGE_QUERIES), ids=list(NEW_PAGE_QUERIES))
def test_a_new_page_is_kept_until_what_it_shows_is_written(page_cache_on, world, page):
    scenario = new_page_scenarios(world)[page]()
    scenario.add(2)
    with time_machine.travel(timezone.now(), tick=False):  # one minute: time alone changes nothing
        scenario.get(1)  # the browser's first page: it gets its CSRF cookie (a page that sets one is not kept)
        built = scenario.get(1)
        assert built.status_code == 200 and built.context is not None
        rows = scenario.rows(built)
        kept = scenario.get(1)
        assert kept.context is None, f"{page}: drawn again although nothing it shows had changed"
        assert kept.content == built.content

        scenario.add(1)
        after = scenario.get(1)
        assert after.context is not None, f"{page}: the kept page was served after a write to what it shows"
        assert scenario.rows(after) == rows + 1, f"{page}: the new row is not on the page"
