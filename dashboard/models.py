"""The daily figures the supervisor dashboard reads instead of counting a million dossiers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Centre
from procedures.models import Procedure


class Counts(models.Model):
    """What happened on one local day; each count sits on the day its event happened:
    `received` on the receiving day, `settled` on the settling day, `returned` on the hand-back
    day, `ratings` on the rating day."""

    day = models.DateField()
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    # Received for a full-process (toàn trình) online procedure, and of those, filed online.
    received_full = models.PositiveIntegerField(default=0)
    received_full_online = models.PositiveIntegerField(default=0)
    # Filed online or with scanned documents attached (digitised dossiers).
    received_digitised = models.PositiveIntegerField(default=0)
    settled = models.PositiveIntegerField(default=0)
    settled_on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    returned_digital = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    rating_points = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(Counts):
    """Counts per local day, centre, procedure and handling agency (a few dozen rows a day per centre).

    Kept up to date by the services that change dossiers (received, settled, handed back, rated),
    each adding to its row in the same transaction; `manage.py figures_rebuild` recomputes them
    from the dossiers. Every reader sums, so two rows for the same key (two first writers racing)
    are harmless.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    # Functionally the procedure's and centre's (see agencies.selectors.handling_agency); kept
    # here so the figures per agency read this table alone.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("số liệu theo ngày")
        verbose_name_plural = _("số liệu theo ngày")
        indexes = [models.Index(fields=["centre", "day"], name="daily_figure_centre_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(settled_on_time__lte=models.F("settled")),
                name="figure_on_time_within_settled",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.centre_id} {self.procedure_id}"


class StaffDailyFigure(Counts):
    """The same counts per local day, centre and the counter clerk who received the dossier
    (empty for dossiers citizens filed online). A table apart, so the main one stays small."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("số liệu theo cán bộ và ngày")
        verbose_name_plural = _("số liệu theo cán bộ và ngày")
        indexes = [models.Index(fields=["centre", "day"], name="staff_figure_centre_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(settled_on_time__lte=models.F("settled")),
                name="staff_figure_on_time_within_settled",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.centre_id} {self.staff_id}"


class CounterDailyFigure(Counts):
    """Results handed back and ratings per local day and counter (the counter's share of the work
    and its citizens' satisfaction). Only `returned`, `returned_digital`, `ratings` and
    `rating_points` are counted here."""

    counter = models.ForeignKey("queueing.Counter", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("số liệu theo quầy và ngày")
        verbose_name_plural = _("số liệu theo quầy và ngày")
        indexes = [models.Index(fields=["centre", "day"], name="counter_figure_centre_day")]

    def __str__(self):
        return f"{self.day} {self.centre_id} {self.counter_id}"
