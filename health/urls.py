from django.urls import path

from . import views

urlpatterns = [
    path("health/", views.ready, name="health"),
    path("health/status/", views.status, name="health-status"),
]
