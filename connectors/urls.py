from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("ket-noi/<int:pk>/goi-lai/", views.retry, name="retry"),
]
