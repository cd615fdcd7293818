from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("giam-sat/tong-quan/", views.overview, name="overview"),
    path("giam-sat/ho-so/", views.dossier_list, name="dossiers"),
    path("giam-sat/chi-so/", views.index, name="index"),
    path("giam-sat/xuat.<str:fmt>", views.export, name="export"),
]
