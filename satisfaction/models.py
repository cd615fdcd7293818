"""Citizens' satisfaction ratings: one per settled dossier, nine indicators scored out of 18."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Centre
from procedures.models import Dossier, Procedure

MAX_POINTS = 18


class Rating(models.Model):
    """A citizen's rating of how their dossier was handled (đánh giá mức độ hài lòng)."""

    class Channel(models.TextChoices):
        WEB = "web", _("Trên cổng dịch vụ")
        LINK = "link", _("Qua đường dẫn trong thông báo")
        TABLET = "tablet", _("Máy tính bảng tại quầy")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    # Copied from the dossier and its hand-back so the figures per centre, procedure and counter
    # read one table.
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="ratings")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="ratings")
    counter = models.ForeignKey(
        "queueing.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings"
    )
    channel = models.CharField(_("kênh đánh giá"), max_length=10, choices=Channel.choices)
    answers = models.JSONField(_("điểm từng tiêu chí"))
    total = models.PositiveSmallIntegerField(_("tổng điểm"))
    comment = models.TextField(_("góp ý"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        # Covering: the per-counter figures read the index alone.
        indexes = [
            models.Index(
                fields=["centre", "created_at"], include=["counter", "total"], name="rating_centre_created"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0, total__lte=MAX_POINTS), name="rating_total_out_of_18"
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id}: {self.total}/{MAX_POINTS}"
