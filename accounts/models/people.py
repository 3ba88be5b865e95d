"""People: a user with their skills, and the API tokens they sign in with."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Skill(models.Model):
    """A tag such as 陪护, 维修 or 心理疏导, carried by people and wanted by tasks."""

    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.name


# What a closed account is called wherever a name would be shown, in the reader's language.
CLOSED_ACCOUNT_NAME = _("Deleted user")


class User(AbstractUser):
    """A person. The profile (display name, phone, skills, bio) lives on the user: one row, no join."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="users")
    # Set when the person closed their account (POST /me/delete): the row stays, so the ledger,
    # hours and history that point at it stay whole, but it cannot log in and shows no name.
    closed_at = models.DateTimeField(_("account closed at"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "Zhang" and "zhang" are one name to people; do not let two accounts hold it.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self):
        return self.shown_name

    @property
    def shown_name(self) -> str:
        if self.closed_at is not None:
            return str(CLOSED_ACCOUNT_NAME)
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, help_text=_("The first characters, to tell tokens apart."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
