"""The API, version 1: every app's API views under /api/v1/ (see docs/api.md).

A new version would be a new module mounted at /api/v2/ beside this one; v1 stays as it is
for the apps and kiosks already using it.
"""

from django.urls import path, register_converter

from accounts import api as accounts_api
from documents import api as documents_api
from procedures import api as procedures_api
from queueing import api as queueing_api
from routing import api as routing_api


class CodeConverter:
    """Centre, dossier and document codes: letters, digits, dots and hyphens only. Anything else is
    a 404 before a view or the database sees it."""

    regex = r"[0-9A-Za-z.\-]{1,50}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class StepConverter(CodeConverter):
    regex = r"[0-9a-z_\-]{1,60}"


register_converter(CodeConverter, "code")
register_converter(StepConverter, "step")

app_name = "api"

urlpatterns = [
    # Accounts and tokens
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="token_obtain"),
    path("auth/tokens/", accounts_api.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<int:token_id>/", accounts_api.TokenRevokeView.as_view(), name="token_revoke"),
    path("auth/kiosk-tokens/", accounts_api.KioskTokenView.as_view(), name="kiosk_token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    # Catalogue and e-forms
    path("procedures/", procedures_api.ProcedureListView.as_view(), name="procedures"),
    path("procedures/<slug:slug>/", procedures_api.ProcedureDetailView.as_view(), name="procedure"),
    path("procedures/<slug:slug>/form/", procedures_api.FormDefinitionView.as_view(), name="procedure_form"),
    # Drafts and submission
    path("drafts/", procedures_api.DraftListView.as_view(), name="drafts"),
    path("drafts/<uuid:draft_id>/", procedures_api.DraftDetailView.as_view(), name="draft"),
    path(
        "drafts/<uuid:draft_id>/steps/<step:step>/", procedures_api.DraftStepView.as_view(), name="draft_step"
    ),
    path("drafts/<uuid:draft_id>/submit/", procedures_api.DraftSubmitView.as_view(), name="draft_submit"),
    # Dossiers
    path("dossiers/", procedures_api.DossierListView.as_view(), name="dossiers"),
    path("dossiers/lookup/", procedures_api.DossierLookupView.as_view(), name="dossier_lookup"),
    path("dossiers/<code:code>/", procedures_api.DossierDetailView.as_view(), name="dossier"),
    path(
        "dossiers/<code:code>/attachments/<int:attachment_id>/",
        procedures_api.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "dossiers/<code:code>/supplement/",
        routing_api.SupplementAnswerView.as_view(),
        name="supplement_answer",
    ),
    # Agencies: the officer's inbox and the actions on a step (routing between agencies)
    path("agency/inbox/", routing_api.InboxView.as_view(), name="agency_inbox"),
    path("agency/steps/<int:step_id>/", routing_api.StepDetailView.as_view(), name="agency_step"),
    path("agency/steps/<int:step_id>/accept/", routing_api.AcceptView.as_view(), name="step_accept"),
    path("agency/steps/<int:step_id>/complete/", routing_api.CompleteView.as_view(), name="step_complete"),
    path(
        "agency/steps/<int:step_id>/supplement-request/",
        routing_api.SupplementRequestView.as_view(),
        name="step_supplement_request",
    ),
    path("agency/steps/<int:step_id>/return/", routing_api.ReturnView.as_view(), name="step_return"),
    path("agency/steps/<int:step_id>/resubmit/", routing_api.ResubmitView.as_view(), name="step_resubmit"),
    path("agency/steps/<int:step_id>/refuse/", routing_api.RefuseView.as_view(), name="step_refuse"),
    # Documents
    path("documents/", documents_api.DocumentListView.as_view(), name="documents"),
    path(
        "documents/<code:code>/download/",
        documents_api.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path("documents/<code:code>/verify/", documents_api.DocumentVerifyView.as_view(), name="document_verify"),
    # Queues, tickets, slots and appointments (the kiosk and phone API)
    path("queue/tickets/<uuid:public_id>/", queueing_api.TicketStatusView.as_view(), name="ticket"),
    path(
        "queue/centres/<code:centre_code>/services/",
        queueing_api.CentreServicesView.as_view(),
        name="services",
    ),
    path(
        "queue/centres/<code:centre_code>/tickets/", queueing_api.TakeTicketView.as_view(), name="take_ticket"
    ),
    path("queue/centres/<code:centre_code>/slots/", queueing_api.FreeSlotsView.as_view(), name="free_slots"),
    path("queue/centres/<code:centre_code>/appointments/", queueing_api.BookView.as_view(), name="book"),
    path("queue/phone-codes/", queueing_api.PhoneCodeView.as_view(), name="phone_code"),
    path("queue/challenge/", queueing_api.ChallengeView.as_view(), name="challenge"),
    path(
        "queue/appointments/<uuid:public_id>/cancel/",
        queueing_api.CancelView.as_view(),
        name="cancel_appointment",
    ),
]


def only_v1(endpoints):
    """drf-spectacular preprocessing hook: the schema documents /api/v1/ only (the unversioned
    /api/xep-hang/ paths are kept for kiosks already deployed, and are the same views)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
