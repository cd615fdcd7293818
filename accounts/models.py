from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.citizen_id import validate_citizen_id


class User(AbstractUser):
    """A person who signs in: a citizen (linked to the registry by ID number) or a member of staff."""

    citizen_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_citizen_id],
    )
    # Kept on the account so a citizen who needs large text gets it on every device.
    large_text = models.BooleanField(_("chữ lớn"), default=False)

    def __str__(self):
        return self.get_full_name() or self.username
