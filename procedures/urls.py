from django.urls import path

from . import attachments, views, workspace

app_name = "procedures"

urlpatterns = [
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/phuong-xa/", views.wards, name="wards"),
    path("thu-tuc/<slug:slug>/", views.procedure_detail, name="detail"),
    path("thu-tuc/<slug:slug>/nop-truc-tuyen/", views.draft_start, name="start"),
    path("thu-tuc/<slug:slug>/nop-thay-theo-uy-quyen/", views.authorised_start, name="start_authorised"),
    path("ho-so/nhap/<uuid:draft_id>/", views.DossierWizard.as_view(), name="draft"),
    path("ho-so/tiep-tuc/<str:token>/", views.draft_take_over, name="draft_take_over"),
    path("ho-so/<str:code>/da-nop/", views.dossier_filed, name="dossier_filed"),
    path("ho-so/<str:code>/giay-tiep-nhan/", views.receipt, name="receipt"),
    path("ho-so/<str:code>/tep/<int:attachment_id>/", attachments.attachment_download, name="attachment"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
    path("mot-cua/tiep-nhan/", views.assisted_start, name="assisted_start"),
    path("mot-cua/ho-so/", workspace.workspace, name="workspace"),
    path("mot-cua/ho-so/<str:code>/tra-ket-qua/", workspace.hand_back, name="hand_back"),
]
