"""百姓管家 · 议事协商 and conduct points (积分制), as the API contract's third round says: one router,
mounted in ``config.api``, joining the meetings part and the conventions and conduct points part.

Every object is fetched through its ``selectors.<entity>_get_for`` (404 for those who may not know
it) and changed through ``deliberation.services``."""

from ninja import Router

from deliberation.api import conduct, meetings

router = Router(tags=["deliberation"])
router.add_router("", meetings.router)
router.add_router("", conduct.router)
