"""The dashboards' rollups: one row per community per month with the additive figures.

Kept by database triggers in the writing transaction (``dashboards/rollup_sql.py``, installed by
migration 0001); ``manage.py rollup_audit`` proves them equal to a recount and ``--repair``
rebuilds them. See docs/internals.md, "Dashboard rollups".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The additive figures, in the order the triggers and the recount fill them. Hours are kept in
# hundredths (an exact integer on SQLite as on PostgreSQL); money in minor units (fen).
FIGURES = (
    "needs_received", "needs_resolved", "needs_major", "needs_minor", "needs_private", "needs_untriaged",
    "tasks_published", "tasks_filled", "tasks_done",
    "services", "hours_hundredths", "honour_hundredths",
    "points_budgeted", "points_awarded", "points_conduct", "points_redeemed",
    "donations_gross", "donations_refunded", "donations_spent",
)  # fmt: skip


class CommunityMonth(models.Model):
    # A plain number, not a foreign key: a row outlives nothing it counts (its figures go to zero
    # when the rows behind them are deleted) and never blocks deleting a community.
    community_id = models.BigIntegerField(_("community"))
    month = models.DateField(_("month"), help_text=_("The first day of the month, in the site's time zone."))
    # The earliest and latest local day any counted row was dated: a period that ends (or starts)
    # inside the month may read the whole row when the row lies inside the period. Widened by
    # each write, never narrowed, so they are always safe bounds.
    first_day = models.DateField()
    last_day = models.DateField()
    needs_received = models.BigIntegerField(default=0, db_default=0)
    needs_resolved = models.BigIntegerField(default=0, db_default=0)
    needs_major = models.BigIntegerField(default=0, db_default=0)
    needs_minor = models.BigIntegerField(default=0, db_default=0)
    needs_private = models.BigIntegerField(default=0, db_default=0)
    needs_untriaged = models.BigIntegerField(default=0, db_default=0)
    tasks_published = models.BigIntegerField(default=0, db_default=0)
    tasks_filled = models.BigIntegerField(default=0, db_default=0)
    tasks_done = models.BigIntegerField(default=0, db_default=0)
    services = models.BigIntegerField(default=0, db_default=0)
    hours_hundredths = models.BigIntegerField(default=0, db_default=0)
    honour_hundredths = models.BigIntegerField(default=0, db_default=0)
    points_budgeted = models.BigIntegerField(default=0, db_default=0)
    points_awarded = models.BigIntegerField(default=0, db_default=0)
    points_conduct = models.BigIntegerField(default=0, db_default=0)
    points_redeemed = models.BigIntegerField(default=0, db_default=0)
    donations_gross = models.BigIntegerField(default=0, db_default=0)
    donations_refunded = models.BigIntegerField(default=0, db_default=0)
    donations_spent = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("community month (rollup)")
        verbose_name_plural = _("community months (rollups)")
        constraints = [models.UniqueConstraint(fields=["community_id", "month"], name="community_month_unique")]
        indexes = [models.Index(fields=["month", "community_id"])]

    def __str__(self):
        return f"{self.community_id} {self.month:%Y-%m}"


class VolunteerMonth(models.Model):
    """Who served where and when: one row per community, month and volunteer with the services
    verified. Distinct volunteers are not additive; counting these rows over a period's months
    reads about a fifth as many rows as the claims, with no join to the tasks."""

    community_id = models.BigIntegerField(_("community"))
    month = models.DateField(_("month"), help_text=_("The first day of the month, in the site's time zone."))
    user_id = models.BigIntegerField(_("volunteer"))
    first_day = models.DateField()
    last_day = models.DateField()
    services = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name = _("volunteer month (rollup)")
        verbose_name_plural = _("volunteer months (rollups)")
        constraints = [models.UniqueConstraint(fields=["community_id", "month", "user_id"], name="volunteer_month_unique")]
        # Covering: a period's distinct volunteers are read from the index alone.
        indexes = [models.Index(fields=["month", "community_id", "user_id"], include=["services", "first_day", "last_day"], name="volunteer_month_covering")]

    def __str__(self):
        return f"{self.community_id} {self.month:%Y-%m} {self.user_id}"
