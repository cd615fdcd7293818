from celery import shared_task

from .appointments import appointments_expire


@shared_task
def appointments_expire_task() -> int:
    """Thin: mark late bookings as no-shows and free their places (idempotent)."""
    return appointments_expire()
