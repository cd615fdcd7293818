from django.urls import path

from . import views

app_name = "satisfaction"

urlpatterns = [
    path("danh-gia/<str:token>/", views.rate_by_link, name="rate_by_link"),
    path("ho-so/<str:code>/danh-gia/", views.rate_on_web, name="rate_on_web"),
    path("mot-cua/danh-gia/<str:code>/", views.rate_on_tablet, name="rate_on_tablet"),
]
