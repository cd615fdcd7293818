"""What the long-running processes leave behind so an operator (and the status page) can tell
they are alive. Kept in the database, not in Redis: a Redis outage is one of the things the
status page must report, and a restarted Redis must not look like a dead worker."""

from django.db import models


class Beacon(models.Model):
    """The last sign of life of one thing: a queue's heartbeat (`queue:<name>`), a relay
    (`relay:<host>:<pid>`), the scheduler (`beat`)."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%H:%M:%S}"


class Lease(models.Model):
    """A lease one process holds for a while and renews, so that of several processes that could
    do a job (two schedulers on two machines) exactly one does it, and another takes over within
    the lease's length when the holder dies."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    renewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} until {self.expires_at:%H:%M:%S}"
