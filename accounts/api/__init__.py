"""Accounts part of the API contract, one module per object: ``auth`` (register, tokens, passwords),
``communities`` (with memberships and invitations), ``lockouts``, ``organizations``, ``notifications``.
The one router of the app is assembled here, in the order the paths were always matched; each module
names its operation ids after this package (``OPERATION_IDS_OF``), so the published ids did not change
with the split."""

from ninja import Router

from accounts.api import auth, communities, lockouts, notifications, organizations
from accounts.api.communities import MembershipOut
from accounts.api.organizations import OrganizationRoleOut

__all__ = ["router", "MembershipOut", "OrganizationRoleOut"]

router = Router()
router.add_router("", auth.router)
router.add_router("", communities.router)
router.add_router("", lockouts.router)
router.add_router("", organizations.router)
router.add_router("", notifications.router)
