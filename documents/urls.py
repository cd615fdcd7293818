from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/keys/<str:agency_code>.pem", views.issuer_certificate, name="issuer_certificate"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("van-ban/<str:code>/tai-ve/", views.download, name="download"),
    path("van-ban/<str:code>/thu-hoi/", views.revoke, name="revoke"),
]
