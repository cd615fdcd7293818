from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import selectors


@never_cache
def ready(request):
    """For load balancers: 200 while this node's database answers, else 503. Nothing else."""
    if selectors.ready():
        return JsonResponse({"database": "ok"})
    return JsonResponse({"database": "unreachable"}, status=503)


@never_cache
def status(request):
    """For operators and alerting: every part of the system; 503 when any needs action."""
    report = selectors.status()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
