from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("chuyen-mon/ho-so/", views.inbox, name="inbox"),
    path("chuyen-mon/ho-so/<int:step_id>/", views.step_detail, name="step"),
    path("chuyen-mon/ho-so/<int:step_id>/tep/<int:file_id>/", views.step_file, name="step_file"),
    path("chuyen-mon/ho-so/<int:step_id>/<slug:action>/", views.step_action, name="step_action"),
    path("ho-so/<str:code>/bo-sung/", views.supplement_answer, name="supplement_answer"),
    path("giam-sat/chuyen-tiep-loi/", views.dead_letters, name="dead_letters"),
    path("giam-sat/chuyen-tiep-loi/<int:pk>/thu-lai/", views.dead_letter_retry, name="dead_letter_retry"),
    path("giam-sat/ho-so/<str:code>/", views.drill_down, name="drill_down"),
]
