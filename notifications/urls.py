from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("thong-bao/", views.inbox, name="inbox"),
    path("thong-bao/da-doc/", views.mark_all_read, name="mark_all_read"),
]
