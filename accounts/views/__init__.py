"""Pages for accounts, communities and organisations, one module per object: ``auth`` (registering,
passwords, the profile, login lockouts), ``communities`` (with joining, members and invitations),
``organizations``, ``people`` (the member picker's search), ``inbox`` (the notifications page). They
parse forms, call services, render. Every view is importable from ``accounts.views``.
"""

from accounts.views.auth import PasswordResetConfirmView, PasswordResetView, lockout_reset, lockouts, password_change, profile, register
from accounts.views.communities import (
    community_create,
    community_detail,
    community_join,
    community_list,
    community_member_add,
    invitation_accept,
    invitation_decline,
    invitations,
    resident_find,
)
from accounts.views.inbox import notifications
from accounts.views.organizations import (
    organization_contact,
    organization_create,
    organization_list,
    organization_member_add,
    organization_suspend,
    organization_verify,
)
from accounts.views.people import people_search

__all__ = [
    "register",
    "password_change",
    "PasswordResetView",
    "PasswordResetConfirmView",
    "profile",
    "lockouts",
    "lockout_reset",
    "community_list",
    "community_create",
    "community_detail",
    "community_join",
    "community_member_add",
    "resident_find",
    "invitations",
    "invitation_accept",
    "invitation_decline",
    "organization_list",
    "organization_create",
    "organization_verify",
    "organization_suspend",
    "organization_contact",
    "organization_member_add",
    "people_search",
    "notifications",
]
