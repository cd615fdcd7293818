from celery import shared_task

from . import services


@shared_task(name="connectors.run_call")
def run_call(call_id: int) -> str:
    """Thin: run one connector call if due (safe to run twice; the service schedules retries)."""
    return services.connector_call_run(call_id=call_id).status


@shared_task(name="connectors.sweep")
def sweep() -> int:
    return services.connectors_sweep()
