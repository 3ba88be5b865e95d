"""People, places and organisations: who may act where, one module per object.

District → Street → Community is the tenant boundary: staff act only inside the communities where
they hold a staff membership. The district admin is the Django superuser. ``people`` (users, skills,
API tokens), ``places`` (districts, streets, communities, memberships and invitations),
``organizations`` (with their status history and annual reports), ``notifications``, ``care``
(volunteer numbers, service cards, guardians). Every model is importable from ``accounts.models``.
"""

from accounts.models.care import Guardian, ServiceCard, VolunteerNumber
from accounts.models.notifications import Notification
from accounts.models.organizations import AnnualReport, Organization, OrganizationMember, OrganizationStatusChange
from accounts.models.people import CLOSED_ACCOUNT_NAME, ApiToken, Skill, User
from accounts.models.places import Community, CommunityInvitation, District, Membership, Street

__all__ = [
    "Skill",
    "CLOSED_ACCOUNT_NAME",
    "User",
    "District",
    "Street",
    "Community",
    "Membership",
    "Organization",
    "OrganizationMember",
    "ApiToken",
    "OrganizationStatusChange",
    "Notification",
    "CommunityInvitation",
    "VolunteerNumber",
    "ServiceCard",
    "Guardian",
    "AnnualReport",
]
