from celery import shared_task

from .appointments import appointments_expire, appointments_remind


@shared_task
def appointments_expire_task() -> int:
    """Thin: mark late bookings as no-shows and free their places (idempotent)."""
    return appointments_expire()


@shared_task
def appointments_remind_task() -> int:
    """Thin: remind tomorrow's bookings (each reminder keyed, so a second run sends nothing)."""
    return appointments_remind()
