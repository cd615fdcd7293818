from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("cong-dan/dinh-chinh-thong-tin/", views.correction, name="correction"),
    path("chuyen-mon/dinh-chinh-dan-cu/", views.corrections_inbox, name="corrections_inbox"),
    path("chuyen-mon/dinh-chinh-dan-cu/<int:pk>/", views.correction_answer, name="correction_answer"),
]
