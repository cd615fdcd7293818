"""The deadline watch's beat task: thin, safe to run twice (every effect is keyed)."""

from celery import shared_task

from . import deadlines


@shared_task(name="routing.deadlines_refresh", ignore_result=True)
def deadlines_refresh() -> dict:
    done = deadlines.deadlines_refresh()
    return {
        "due_soon": len(done.due_soon),
        "overdue": len(done.overdue),
        "step_alerts": len(done.step_alerts),
    }
