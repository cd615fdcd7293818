from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("giam-sat/lich-lam-viec/", views.calendar_page, name="calendar"),
]
