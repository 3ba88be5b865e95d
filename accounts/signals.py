"""What ends a token's place in the public cache (core/pubcache.py, ``mark_plain_viewer``): any
save of the person (deactivated, a new password, made district admin), any change to their
memberships (made staff somewhere) and any save of one of their tokens (revoked in the admin).
``token_revoke`` unmarks its token itself (an ``update()`` sends no signal), and every other revocation
saves the person too."""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import ApiToken, Membership, User
from accounts.services import sockets_recheck
from core import pubcache


def _forget_tokens_of(user_id) -> None:
    if pubcache.enabled() and user_id is not None:
        pubcache.forget_viewers(list(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True)))


@receiver(post_save, sender=User)
def _user_saved(sender, instance, **kwargs):
    _forget_tokens_of(instance.pk)


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    _forget_tokens_of(instance.user_id)


@receiver(post_save, sender=ApiToken)
def _token_saved(sender, instance, **kwargs):
    _forget_tokens_of(instance.user_id)


# --- Websockets end with their credentials (issue #36.3, accounts/consumers.py) ------------------
# A new password or a closed (deactivated, deleted) account: every socket of the person checks its
# token or session again. ``token_revoke`` asks itself (an ``update()`` sends no signal).


@receiver(post_save, sender=User)
def _user_saved_recheck_sockets(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or {"password", "is_active"} & set(update_fields):
        sockets_recheck(instance.pk)


@receiver(post_delete, sender=User)
def _user_deleted_recheck_sockets(sender, instance, **kwargs):
    sockets_recheck(instance.pk)


@receiver(user_logged_out)
def _logged_out_close_sockets(sender, request, user, **kwargs):
    if user is not None:
        sockets_recheck(user.pk, ended_session=getattr(request.session, "session_key", None))
