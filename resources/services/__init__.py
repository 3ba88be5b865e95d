"""The resources services, one module per workflow; ``from resources import services`` offers them all."""

from resources.services.activities import activity_approve, activity_propose, activity_reject  # noqa: F401
from resources.services.bookings import (  # noqa: F401
    booking_approve,
    booking_cancel,
    booking_reject,
    booking_request,
    venue_create,
)
from resources.services.groups import group_file  # noqa: F401
from resources.services.handovers import handover_create, handover_end  # noqa: F401
from resources.services.talents import talent_invite, talent_list_me, talent_unlist  # noqa: F401
from resources.services.tasks import task_create_with_room  # noqa: F401
