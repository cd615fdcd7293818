from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Centre


class Counter(models.Model):
    """A reception counter (quầy) at a centre, where staff call queue numbers."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("số quầy"))
    label = models.CharField(_("tên quầy"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="counter_unique_number")]

    def __str__(self):
        return _("Quầy %(number)d") % {"number": self.number}
