"""Keep the cached public task lists (core/pubcache.py) fresh when tasks change outside the
services' announced paths: an edit saved through the admin or a form, a deletion, new skills, a
community renamed. The services' conditional UPDATEs (slots, status) renew it in announce_task."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from accounts.models import Community
from core import pubcache
from marketplace.models import Task


@receiver(post_save, sender=Task)
@receiver(post_delete, sender=Task)
@receiver(post_save, sender=Community)
@receiver(m2m_changed, sender=Task.skills.through)
def renew_public_task_lists(sender, **kwargs):
    pubcache.bump("tasks")


# Sent by task_update inside its transaction when staff add slots to a task; orders gives them to
# the people waiting (orders.services.waitlist), so marketplace needs no import from above.
task_slots_added = Signal()
