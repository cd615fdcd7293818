"""Thin tasks: the heartbeat beat sends to every queue."""

from celery import shared_task

from . import services


@shared_task(name="health.heartbeat", ignore_result=True)
def heartbeat(queue: str) -> None:
    """Sent by the scheduler to each queue every HEALTH_HEARTBEAT_SECONDS: that it ran proves the
    scheduler, the broker and a worker of that queue are alive, and its age shows the queue's lag."""
    services.beacon_touch(name=f"queue:{queue}")


@shared_task(name="health.beacons_forget", ignore_result=True)
def beacons_forget() -> int:
    return services.beacons_forget()
