"""What the canteen app keeps beside the ledgers: which months' accounts the school has made
public (校务公开)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PublishedMonth(models.Model):
    """A month of the canteen's account that finance made public on 食堂收支公示. It keeps the
    figures it was published with: a row of it booked after `published_at` is a correction in
    the month it was booked (ledger.canteen.accounts)."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # YYYY-MM
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="canteen_month_published")
        ]

    def __str__(self) -> str:
        return self.month
