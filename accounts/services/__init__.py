"""Every change to people, communities and organisations goes through these functions.

Pages, the API, the admin and management commands only parse input, call one of these and shape
the output; the rules live here once. Each function runs in one transaction: it either does all of
what it says or raises an ``ApplicationError`` and writes nothing.

One module per subject: ``auth`` (tokens, lockout), ``passwords``, ``registration`` (and the profile),
``memberships`` (communities, memberships, invitations), ``organizations``, ``notifications``
(``notify``), with ``common`` (cleaning typed text). Import from here: ``from accounts.services import notify``.
"""

from accounts.services.auth import can_unlock, hash_token, lockout_reset, sockets_recheck, token_authenticate, token_create, token_obtain, token_revoke
from accounts.services.memberships import (
    community_create,
    invitation_accept,
    invitation_create,
    invitation_decline,
    membership_add,
    membership_join,
    membership_leave,
)
from accounts.services.notifications import notification_store, notifications_mark_read, notify
from accounts.services.organizations import (
    ORGANIZATION_TRANSITIONS,
    PUBLIC_PHONE,
    can_review_organization,
    organization_contact_update,
    organization_create,
    organization_member_add,
    organization_suspend,
    organization_verify,
)
from accounts.services.passwords import (
    RESET_EMAIL_TEMPLATE,
    RESET_SUBJECT_TEMPLATE,
    password_change,
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
    password_set,
    reset_email_context,
)
from accounts.services.registration import MAX_SKILLS, account_update, profile_update, user_register

__all__ = [
    "hash_token",
    "token_obtain",
    "can_unlock",
    "lockout_reset",
    "token_create",
    "token_authenticate",
    "token_revoke",
    "sockets_recheck",
    "community_create",
    "membership_join",
    "membership_add",
    "invitation_create",
    "invitation_accept",
    "invitation_decline",
    "membership_leave",
    "notify",
    "notification_store",
    "notifications_mark_read",
    "organization_create",
    "can_review_organization",
    "ORGANIZATION_TRANSITIONS",
    "organization_verify",
    "organization_suspend",
    "PUBLIC_PHONE",
    "organization_contact_update",
    "organization_member_add",
    "password_change",
    "RESET_EMAIL_TEMPLATE",
    "RESET_SUBJECT_TEMPLATE",
    "password_reset_request",
    "reset_email_context",
    "password_set",
    "password_reset_user",
    "password_reset_confirm",
    "MAX_SKILLS",
    "user_register",
    "profile_update",
    "account_update",
]
