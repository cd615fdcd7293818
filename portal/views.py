from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .tasks import HEARTBEAT_KEY


def landing(request):
    return render(request, "landing.html")


def health(request):
    """For load balancers and operators: the database answers, and when a worker last ran a task."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = cache.get(HEARTBEAT_KEY)
    age = (timezone.now().timestamp() - beat) if beat else None
    return JsonResponse(
        {
            "database": "ok",
            "worker_last_seen_seconds_ago": round(age, 1) if age is not None else None,
        }
    )
