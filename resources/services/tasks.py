"""A task that reserves its room when it is created: the task is posted through marketplace's own
service and the room requested for the task's time in the same transaction, so either both exist
or neither (a room already taken refuses the task too: 409 ``venue_taken``). Staff post tasks, and
staff's own requests are confirmed at once."""

from django.db import transaction

from accounts.models import User
from marketplace.models import Task
from marketplace.services import TaskFields, task_create
from resources.models import Booking, Venue
from resources.services.bookings import booking_approve, booking_request


def task_create_with_room(*, actor: User, venue: Venue, fields: TaskFields, attendees: int | None = None) -> tuple[Task, Booking]:
    """Post a task in the room's community and book the room for its whole time, confirmed."""
    with transaction.atomic():
        task = task_create(actor=actor, community=venue.community, fields=fields)
        booking = booking_request(actor=actor, venue=venue, starts_at=task.starts_at, ends_at=task.ends_at, purpose=task.title,
                                  attendees=min(attendees or task.slots + 1, venue.capacity), task=task)
        booking = booking_approve(actor=actor, booking=booking)
    return task, booking
