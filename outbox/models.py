"""The outbox's own table: failed attempts at waiting work whose own row keeps no count."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Retry(models.Model):
    """When to try an item of a source again after a failure, and why it failed.

    Most sources keep this on their own rows (a notification's `next_attempt_at`, a hand-off's
    `retry_at`); a document's row says only pending or issued, so its failures are kept here, and
    a document that fails is tried again after its backoff, not at every drain (a PDF that cannot be
    rendered would otherwise be rendered over and over)."""

    source = models.CharField(_("nguồn"), max_length=40)
    item_id = models.BigIntegerField()
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    retry_at = models.DateTimeField(_("thử lại lúc"))
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("lần thử lại")
        verbose_name_plural = _("lần thử lại")
        constraints = [
            models.UniqueConstraint(fields=["source", "item_id"], name="outbox_retry_one_per_item")
        ]

    def __str__(self):
        return f"{self.source}:{self.item_id} ({self.attempts})"
