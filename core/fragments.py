"""Parts of pages drawn once per content and kept in the process (issue #18, #35).

Drawing a small template through Django's engine costs a fraction of a millisecond per row, and a
list draws dozens. A ``KeptFragments`` keeps what it drew keyed by everything the fragment shows
(passed by the caller), with the language and the time zone: another content is another key, so a
kept fragment is never out of date, only the drawing of the same content. The oldest are dropped
past ``limit``.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.utils import timezone, translation


class KeptFragments:
    def __init__(self, limit: int):
        self.limit = limit
        self._kept: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def drawn(self, shown: tuple, draw: Callable[[], str]) -> str:
        """The fragment showing ``shown`` (every value it shows), drawn by ``draw()`` if not kept."""
        key = hashlib.blake2b(repr((shown, translation.get_language(), timezone.get_current_timezone_name())).encode(), digest_size=16).hexdigest()
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
                return html
        html = draw()
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
