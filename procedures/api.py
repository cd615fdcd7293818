"""The procedures API: catalogue, e-form definitions, drafts, submission, dossiers.

Every rule is the pages' rule: steps are validated by the wizard's own forms and filed through
procedures/filing.py → services.dossier_submit; who may see what comes from procedures.selectors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.citizen_id import validate_citizen_id

from . import eforms, selectors, services
from .attachments import attachment_response
from .drafts import draft_files_delete
from .filing import Filing, draft_storage, storage_save
from .models import Procedure
from .serializers import (
    DossierDetailSerializer,
    DossierSerializer,
    DraftListItemSerializer,
    DraftSerializer,
    DraftStartLetterSerializer,
    DraftStartSerializer,
    FormDefinitionSerializer,
    LookupResultSerializer,
    LookupSerializer,
    ProcedureDetailSerializer,
    ProcedureSerializer,
    StepSavedSerializer,
    SubmitSerializer,
    form_definition_json,
)

ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`, or messages by input name")


def _error(message: str, code: int = status.HTTP_400_BAD_REQUEST, **extra) -> Response:
    return Response({"detail": message, **extra}, status=code)


# --- Catalogue ------------------------------------------------------------------------------


class ProcedureListView(APIView):
    """The procedure catalogue; `q` searches names and codes, with or without diacritics."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Words to search for")],
        responses={200: ProcedureSerializer(many=True)},
    )
    def get(self, request):
        query = request.query_params.get("q", "")[:100]
        procedures = selectors.procedures_search(query).prefetch_related("forms")
        return Response(ProcedureSerializer(procedures, many=True).data)


class ProcedureDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProcedureDetailSerializer, 404: ERRORS})
    def get(self, request, slug):
        procedure = get_object_or_404(Procedure, slug=slug)
        return Response(ProcedureDetailSerializer(procedure).data)


class FormDefinitionView(APIView):
    """The procedure's current e-form: steps, fields and every input with its type, limits and choices."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: FormDefinitionSerializer, 404: ERRORS})
    def get(self, request, slug):
        procedure = get_object_or_404(Procedure, slug=slug)
        form = procedure.current_form()
        if form is None:
            raise Http404
        return Response(form_definition_json(form))


# --- Drafts ---------------------------------------------------------------------------------


def _step_values(filing: Filing, step: str) -> dict:
    data = filing.storage.get_step_data(step) or {}
    values = {}
    for key in data:
        if key.startswith(f"{step}-"):
            values[key[len(step) + 1 :]] = data.get(key)
    return values


def draft_json(draft, filing: Filing) -> dict:
    steps = []
    for name in filing.steps():
        if name == eforms.REVIEW_STEP:
            continue
        initial, prefilled, _notes = eforms.step_initial(filing.steps_by_name[name], filing.prefill)
        stored_files = filing.storage.data.get(filing.storage.step_files_key, {}).get(name, {})
        steps.append(
            {
                "name": name,
                "title": eforms.label_of(filing.steps_by_name[name]),
                "saved": filing.storage.get_step_data(name) is not None,
                "values": _step_values(filing, name),
                "initial": {k: eforms.frozen(v) for k, v in initial.items()},
                "prefilled": sorted(prefilled),
                "files": sorted(k[len(name) + 1 :] for k in stored_files),
                "wallet": [{"value": v, "label": label, "group": ""} for v, label in filing.wallet()],
            }
        )
    centres = filing.centres()
    initial_centre = filing.form_initial(eforms.REVIEW_STEP).get("centre")
    return {
        "id": draft.pk,
        "procedure": draft.procedure.slug,
        "form_version": draft.form.version,
        "applicant_citizen_id": draft.applicant_citizen_id,
        "channel": draft.channel,
        "basis": draft.basis,
        "current_step": filing.storage.current_step,
        "steps": steps,
        "centres": None
        if centres is None
        else [{"id": c.pk, "code": c.code, "name": c.name} for c in centres],
        "initial_centre": int(initial_centre) if initial_centre else None,
        "declaration": filing.definition.get("declaration", ""),
        "updated_at": draft.updated_at,
    }


def _clean_citizen_id(value: str) -> str:
    value = "".join(value.split())
    validate_citizen_id(value)
    return value


class DraftListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DraftListItemSerializer(many=True)})
    def get(self, request):
        return Response(DraftListItemSerializer(selectors.drafts_of(request.user), many=True).data)

    @extend_schema(
        request={"application/json": DraftStartSerializer, "multipart/form-data": DraftStartLetterSerializer},
        responses={201: DraftSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request):
        """Start (or resume) a draft, as on the pages: a citizen for herself, for her child under 18,
        or (multipart, with the authorisation letter) for the person who authorised her; counter
        staff for a walk-in citizen found in the population registry, or a postal dossier."""
        form = DraftStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        procedure = get_object_or_404(Procedure, slug=data["procedure"])
        try:
            applicant = _clean_citizen_id(data.get("applicant_citizen_id") or request.user.citizen_id or "")
        except DjangoValidationError as error:
            return Response({"applicant_citizen_id": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        letter = None
        if request.content_type.startswith("multipart/"):
            # The letter last: its check (a virus scan) is the costliest, and is wasted on a start
            # that names no procedure or no valid person.
            with_letter = DraftStartLetterSerializer(data=request.data)
            with_letter.is_valid(raise_exception=True)
            letter = with_letter.validated_data.get("authorisation_letter")
        try:
            draft = services.draft_start(
                owner=request.user,
                procedure=procedure,
                applicant_citizen_id=applicant,
                channel=data["channel"],
                consent=data["consent"],
                letter=letter,
                applicant_name=data.get("applicant_name", ""),
                postal=data["postal"],
            )
        except services.FilingNotAllowed as refused:
            raise PermissionDenied(str(refused)) from refused
        except services.ApplicantUnknown as unknown:
            return Response({"applicant_citizen_id": [str(unknown)]}, status=status.HTTP_400_BAD_REQUEST)
        filing = Filing(draft, draft_storage(draft))
        return Response(draft_json(draft, filing), status=status.HTTP_201_CREATED)


def _own_draft(request, draft_id):
    draft = selectors.draft_of(request.user, draft_id)
    if draft is None:
        raise Http404
    return draft, Filing(draft, draft_storage(draft))


class DraftDetailView(APIView):
    """Resume a draft (from any device, or one started on the site): each step's saved values,
    prefilled values, stored files, and where it may be filed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DraftSerializer, 404: ERRORS})
    def get(self, request, draft_id):
        draft, filing = _own_draft(request, draft_id)
        return Response(draft_json(draft, filing))


def _step_post(step: str, request) -> tuple[MultiValueDict, MultiValueDict]:
    """The request as the wizard's POST would be: every input named "<step>-<input>"."""
    data, files = MultiValueDict(), MultiValueDict()
    if not hasattr(request.data, "keys"):
        raise ParseError(_("Hãy gửi một đối tượng JSON: tên ô → giá trị."))
    uploads = request.FILES
    for key in request.data:
        if key in uploads:
            continue
        values = request.data.getlist(key) if hasattr(request.data, "getlist") else [request.data[key]]
        for value in values:
            if isinstance(value, (dict, list)):
                continue  # no input takes a structure; the form reports it as missing
            text = "" if value is None else str(value)
            data.appendlist(f"{step}-{key}", text)
    for key in uploads:
        files.setlist(f"{step}-{key}", uploads.getlist(key))
    return data, files


class DraftStepView(APIView):
    """Save one step, validated exactly as the wizard validates it. JSON, or multipart for files.

    Invalid answers answer 400 with messages by input name, and are kept in the draft all the
    same (nothing typed is lost), as the pages do.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT, "multipart/form-data": OpenApiTypes.OBJECT},
        responses={200: StepSavedSerializer, 400: ERRORS, 404: ERRORS},
    )
    def post(self, request, draft_id, step):
        draft, filing = _own_draft(request, draft_id)
        steps = filing.steps()
        if step not in steps or step == eforms.REVIEW_STEP:
            raise Http404
        data, files = _step_post(step, request)
        form = filing.form(step, data=data, files=files)
        if not form.is_valid():
            filing.storage.set_step_data(step, data)
            storage_save(draft, filing.storage)
            return Response(
                {
                    "detail": _("Bước này còn chỗ chưa đúng."),
                    "step": step,
                    "errors": form.errors.get_json_data(),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        filing.storage.set_step_data(step, data)
        filing.storage.set_step_files(step, files)
        steps = filing.steps()  # an answer may show or hide later steps
        next_step = steps[steps.index(step) + 1]
        filing.storage.current_step = next_step
        storage_save(draft, filing.storage)
        return Response({"step": step, "next_step": next_step})


class DraftSubmitView(APIView):
    """File the dossier: every step is checked again, then `dossier_submit` numbers it and dates it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SubmitSerializer,
        responses={
            201: DossierDetailSerializer,
            200: DossierDetailSerializer,
            400: ERRORS,
            403: ERRORS,
            404: ERRORS,
        },
    )
    def post(self, request, draft_id):
        filed = selectors.dossier_filed_from(request.user, draft_id)
        if filed is not None:  # a retry whose first answer was lost: the same dossier, not a second
            return self._filed(request, filed, status.HTTP_200_OK)
        draft, filing = _own_draft(request, draft_id)
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        form_dict = {}
        for step in filing.steps():
            if step == eforms.REVIEW_STEP:
                review = {f"{step}-centre": str(body.validated_data.get("centre", ""))}
                if body.validated_data["declaration"]:
                    review[f"{step}-declaration"] = "on"
                form = filing.form(step, data=review)
            else:
                form = filing.stored_form(step)
            if not form.is_bound or not form.is_valid():
                errors = form.errors.get_json_data() if form.is_bound else {}
                return Response(
                    {
                        "detail": _("Hồ sơ chưa đủ để nộp: hãy hoàn thành bước này."),
                        "step": step,
                        "errors": errors,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            form_dict[step] = form
        state = filing.storage.data
        try:
            dossier = filing.submit(form_dict=form_dict, user=request.user)
        except services.DraftAlreadyFiled as filed:  # two Submits at once: the second waited for the first
            return self._filed(request, filed.dossier, status.HTTP_200_OK)
        except services.FilingNotAllowed as refused:  # the ground it was started on no longer holds
            raise PermissionDenied(str(refused)) from refused
        # The dossier holds its own copies now; the draft's temporary files go.
        transaction.on_commit(lambda: draft_files_delete(state))
        return self._filed(request, dossier, status.HTTP_201_CREATED)

    @staticmethod
    def _filed(request, dossier, code):
        """201 with the new dossier; 200 with the same dossier when this draft was filed already."""
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data, status=code)


# --- Dossiers -------------------------------------------------------------------------------


def _visible_dossier(request, code):
    dossier = selectors.dossiers_visible_to(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


class DossierListView(APIView):
    """Dossiers this person may see: their own (as applicant or filer), or their centre's for staff."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DossierSerializer(many=True)})
    def get(self, request):
        dossiers = selectors.dossiers_visible_to(request.user)[:200]
        return Response(DossierSerializer(dossiers, many=True, context={"request": request}).data)


class DossierDetailView(APIView):
    """Status, legal deadline, timeline, attachments and the documents issued for it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DossierDetailSerializer, 404: ERRORS})
    def get(self, request, code):
        dossier = _visible_dossier(request, code)
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data)


class AttachmentDownloadView(APIView):
    """An uploaded file, only to those who may see its dossier (MEDIA is never served directly)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS})
    def get(self, request, code, attachment_id):
        attachment = selectors.attachment_for(request.user, code=code, attachment_id=attachment_id)
        if attachment is None:
            raise Http404
        return attachment_response(attachment)


class DossierLookupView(APIView):
    """Public look-up, as on the page: the dossier code and the look-up PIN printed on its receipt.

    POST, never GET: a PIN must not sit in a URL (logs, history, Referer).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "lookup"

    @extend_schema(
        request=LookupSerializer, responses={200: LookupResultSerializer, 400: ERRORS, 404: ERRORS}
    )
    def post(self, request):
        form = LookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        dossier = selectors.dossier_public_lookup(**form.validated_data)
        if dossier is None:
            return _error(
                _("Không tìm thấy hồ sơ với mã và mã tra cứu này. Hãy kiểm tra lại giấy tiếp nhận."),
                status.HTTP_404_NOT_FOUND,
            )
        return Response(
            {
                "code": dossier.code,
                "procedure_name": dossier.procedure.display_name,
                "status": dossier.status,
                "status_label": dossier.get_status_display(),
                "due_date": dossier.due_date,
            }
        )
