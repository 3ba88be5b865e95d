"""Consultations (协商议事): the question, its options, the votes and the comments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Community
from marketplace.models.needs import Need


class ConsultationCategory(models.TextChoices):
    """Pengshui's list of what residents deliberate (协商事项分类), shared by consultations and the
    stewards' issues (deliberation)."""

    RULES = "rules", _("Rules and systems (制度建设类)")
    PUBLIC_AFFAIRS = "public_affairs", _("Public affairs and welfare (公共事务公益事业类)")
    MANAGEMENT = "management", _("Community management (村(居)务管理类)")
    OTHER = "other", pgettext_lazy("consultation category", "Other (其他类)")


class Consultation(models.Model):
    """A topic for community consultation (协商议事), e.g. 文明养犬: residents comment and vote."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("community"))
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations", verbose_name=_("need"))
    title = models.CharField(_("topic"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=ConsultationCategory.choices, default=ConsultationCategory.OTHER)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    closes_at = models.DateTimeField(_("voting closes at"))
    decision = models.TextField(_("decision or agreement"), max_length=5000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        return (now or timezone.now()) < self.closes_at


class ConsultationOption(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options", verbose_name=_("consultation"))
    label = models.CharField(_("option"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.label


class Vote(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="votes", verbose_name=_("consultation"))
    option = models.ForeignKey(ConsultationOption, on_delete=models.CASCADE, related_name="votes", verbose_name=_("option"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", verbose_name=_("resident"))
    updated_at = models.DateTimeField(_("voted at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        # One vote per resident per topic; changing it updates the row.
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="vote_once_per_consultation")]

    def __str__(self):
        return f"{self.user} → {self.option}"


class Comment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments", verbose_name=_("consultation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("comment"), max_length=2000)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hidden by"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"
