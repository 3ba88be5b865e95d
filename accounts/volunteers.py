"""Volunteer numbers (志愿者编号): given once, at a person's first claim, and never changed.

The national rules (民政部令第67号) want a volunteer named by a unified number rather than an
identity-card number. Ours is the district's prefix (``settings.VOLUNTEER_NO_PREFIX``) and an
8-digit serial, e.g. ``JB00000042``; the serial is the id of the person's ``VolunteerNumber`` row.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User, VolunteerNumber


def volunteer_number_assign(*, user: User) -> str:
    """The person's volunteer number, given now if they have none. Safe to call twice and from two
    requests at once: the one-to-one on the person lets only one row exist (the loser of a race
    finds the winner's row), and the serial is the database's own id, never read-then-incremented."""
    existing = VolunteerNumber.objects.filter(user=user).values_list("number", flat=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            row = VolunteerNumber.objects.create(user=user)
            row.number = VolunteerNumber.format(settings.VOLUNTEER_NO_PREFIX, row.pk)
            VolunteerNumber.objects.filter(pk=row.pk).update(number=row.number)
    except IntegrityError:
        # Someone else gave this person a number a moment ago: theirs stands.
        return VolunteerNumber.objects.get(user=user).number
    return row.number


def volunteer_no_of(user) -> str | None:
    """The person's volunteer number, or None if they have never served."""
    if user is None or not getattr(user, "pk", None):
        return None
    return VolunteerNumber.objects.filter(user_id=user.pk).values_list("number", flat=True).first()
