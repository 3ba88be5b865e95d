"""The resources API (#33): rooms, bookings and handovers; talents, community groups and annual
reports. One router, mounted in config/api.py."""

from ninja import Router

from resources.api import activities, people, venues

router = Router()
router.add_router("/", venues.router)
router.add_router("/", people.router)
router.add_router("/", activities.router)
