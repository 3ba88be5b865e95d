"""Tasks, needs and consultations parts of the API contract, one module per object (as the app's views
and services are): ``tasks``, ``needs``, ``consultations``. The one router of the app is assembled here,
in the order the paths were always matched; each module names its operation ids after this package
(``OPERATION_IDS_OF``), so the published ids did not change with the split."""

from ninja import Router

from marketplace.api import consultations, needs, tasks

__all__ = ["router"]

router = Router()
router.add_router("", tasks.router)
router.add_router("", needs.router)
router.add_router("", consultations.router)
