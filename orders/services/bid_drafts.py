"""Bid attachments kept between tries: a bid form refused for another field keeps its file, and a
withdrawn bid's file goes with the organisation's new bid (no one chooses a file twice)."""

import re
import time
import uuid

from django.core.files import File
from django.core.files.storage import default_storage

from accounts.models import Organization, OrganizationMember, User
from accounts.selectors import is_organization_admin
from core.errors import ValidationFailed
from core.uploads import check_attachment
from marketplace.models import Project
from orders.models import Bid

__all__ = ["bid_attachment_keep", "bid_attachment_kept", "bid_attachment_discard", "bid_attachment_of_withdrawn", "bid_drafts_purge"]

# A bid form refused for another field keeps its attachment here, under a name tied to the person
# (``bid-drafts/<user id>/<unix time><random hex>``), so the organisation does not have to choose
# the file again (bid_attachment_keep / _kept). Only a PDF, PNG or JPEG of someone who may bid is
# kept, at most KEPT_PER_PERSON per person, and for a day (bid_drafts_purge, a periodic job):
# issue #36.4.
KEPT_ATTACHMENTS = "bid-drafts"
KEPT_PER_PERSON = 3
KEPT_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9]{10}[0-9a-f]{32}$")


def _kept_tokens(user_id) -> list[str]:
    """The person's kept drafts, oldest first."""
    try:
        _dirs, files = default_storage.listdir(f"{KEPT_ATTACHMENTS}/{user_id}")
    except FileNotFoundError:
        return []
    return sorted(name for name in files if _TOKEN.match(name))


def bid_attachment_keep(*, actor: User, upload) -> str:
    """Keep an uploaded attachment of a refused bid form; returns the token to send back with the
    form, or "" when nothing is kept: a file too large or not a PDF, PNG or JPEG, or a person who
    administers no organisation (nobody else may bid). A person's oldest drafts beyond
    ``KEPT_PER_PERSON`` are dropped."""
    if not upload or not OrganizationMember.objects.filter(user=actor, role=OrganizationMember.Role.ADMIN).exists():
        return ""
    shown_name = upload.name
    try:
        check_attachment(upload)  # the size and the type, by the file's first bytes
    except ValidationFailed:
        return ""
    finally:
        upload.name = shown_name  # the form still shows the name the person chose
    kept = _kept_tokens(actor.pk)
    for old in kept[: max(0, len(kept) - KEPT_PER_PERSON + 1)]:
        default_storage.delete(f"{KEPT_ATTACHMENTS}/{actor.pk}/{old}")
    token = f"{int(time.time()):010d}{uuid.uuid4().hex}"
    upload.seek(0)
    default_storage.save(f"{KEPT_ATTACHMENTS}/{actor.pk}/{token}", File(upload))
    return token


def bid_attachment_kept(*, actor: User, token: str):
    """The attachment kept under ``token`` for this person, or None (another person's token finds
    nothing, nor does one older than a day)."""
    if not _TOKEN.match(token or "") or int(token[:10]) < time.time() - KEPT_SECONDS:
        return None
    path = f"{KEPT_ATTACHMENTS}/{actor.pk}/{token}"
    if not default_storage.exists(path):
        return None
    return File(default_storage.open(path), name=token)


def bid_attachment_discard(*, actor: User, token: str) -> None:
    if _TOKEN.match(token or ""):
        default_storage.delete(f"{KEPT_ATTACHMENTS}/{actor.pk}/{token}")


def bid_attachment_of_withdrawn(*, actor: User, project: Project, organization: Organization, bid_id: str):
    """A copy of the attachment of this organisation's withdrawn bid for the project, to go with
    its new bid when no other file is chosen (a withdrawal loses nothing); None otherwise."""
    if not str(bid_id).isdigit() or not is_organization_admin(actor, organization.pk):
        return None
    bid = Bid.objects.filter(pk=int(bid_id), project=project, organization=organization, status=Bid.Status.WITHDRAWN).exclude(attachment="").first()
    if bid is None or not bid.attachment.storage.exists(bid.attachment.name):
        return None
    return File(bid.attachment.open("rb"), name=bid.attachment.name.rsplit("/", 1)[-1])


def bid_drafts_purge(*, now: float | None = None) -> int:
    """Delete every kept draft older than a day; returns how many (the periodic job's body)."""
    cutoff = (now if now is not None else time.time()) - KEPT_SECONDS
    try:
        people, _files = default_storage.listdir(KEPT_ATTACHMENTS)
    except FileNotFoundError:
        return 0
    purged = 0
    for person in people:
        for token in _kept_tokens(person):
            if int(token[:10]) < cutoff:
                default_storage.delete(f"{KEPT_ATTACHMENTS}/{person}/{token}")
                purged += 1
    return purged
