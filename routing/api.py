"""The agency API: an officer's inbox and the actions on a step, and the citizen's supplement answer.

The same services as the pages (routing/services.py), so the same rules: who may act comes from
routing.selectors (a step the caller may not see is a 404), what the state allows from the
services. A refused action is 400 when the input is incomplete and 409 when the step has moved
on (a colleague acted first), each with the message the page would show. A step is looked up
among those the caller may see in any state, not among the inbox's open ones: a step finished
a moment ago by a colleague is a 409, never a 404.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from procedures.selectors import dossiers_visible_to

from . import actions, selectors, services
from .serializers import (
    CompleteSerializer,
    DossierStepSerializer,
    NoteSerializer,
    RefuseSerializer,
    SupplementAnswerSerializer,
    SupplementRequestSerializer,
)

ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`, or messages by input name")


def _step(request, step_id):
    step = selectors.step_for_user(request.user, step_id)
    if step is None:
        raise Http404
    return step


def _refused(error: services.RoutingError) -> Response:
    code = status.HTTP_409_CONFLICT if isinstance(error, services.NotNow) else status.HTTP_400_BAD_REQUEST
    return Response({"detail": str(error)}, status=code)


class InboxView(APIView):
    """Open steps at the caller's agencies (and, for a reception unit, dossiers returned to it),
    most urgent first: what the inbox page lists."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("agency", str, description="Only this agency's steps (its code)")],
        responses={200: DossierStepSerializer(many=True), 403: ERRORS},
    )
    def get(self, request):
        agencies = list(selectors.agencies_of(request.user))
        if not agencies:
            raise PermissionDenied(_("Tài khoản này không thuộc cơ quan, bộ phận xử lý hồ sơ nào."))
        chosen = request.query_params.get("agency", "")
        shown = [a for a in agencies if a.code == chosen] or agencies
        steps = selectors.inbox_for(shown)[:200]
        return Response(DossierStepSerializer(steps, many=True).data)


class StepDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DossierStepSerializer, 404: ERRORS})
    def get(self, request, step_id):
        return Response(DossierStepSerializer(_step(request, step_id)).data)


class _StepAction(APIView):
    """One officer action on one step; subclasses name the input and call the service."""

    permission_classes = [IsAuthenticated]
    body = None

    def act(self, step, user, data):
        raise NotImplementedError

    def post(self, request, step_id):
        step = _step(request, step_id)
        data = {}
        if self.body is not None:
            body = self.body(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        try:
            self.act(step, request.user, data)
        except services.RoutingError as error:
            return _refused(error)
        step.refresh_from_db()
        return Response(DossierStepSerializer(step).data)


def _action_schema(body=None, summary: str = ""):
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: DossierStepSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )


@extend_schema_view(post=_action_schema(summary="Take the step on (waiting → being handled)"))
class AcceptView(_StepAction):
    def act(self, step, user, data):
        actions.step_accept(step=step, officer=user)


@extend_schema_view(
    post=_action_schema(CompleteSerializer, "Finish the step with an outcome; the dossier moves on")
)
class CompleteView(_StepAction):
    body = CompleteSerializer

    def act(self, step, user, data):
        actions.step_complete(
            step=step, officer=user, outcome=data["outcome"], note=data["note"], files=data["files"]
        )


@extend_schema_view(
    post=_action_schema(SupplementRequestSerializer, "Ask the citizen for missing documents (form 02)")
)
class SupplementRequestView(_StepAction):
    body = SupplementRequestSerializer

    def act(self, step, user, data):
        actions.supplement_request(step=step, officer=user, missing=data["missing"], reason=data["reason"])


@extend_schema_view(
    post=_action_schema(NoteSerializer, "Send the dossier back to the reception unit for correction")
)
class ReturnView(_StepAction):
    body = NoteSerializer

    def act(self, step, user, data):
        actions.step_return(step=step, officer=user, note=data["note"])


@extend_schema_view(
    post=_action_schema(NoteSerializer, "Send a corrected dossier back to the step that returned it")
)
class ResubmitView(_StepAction):
    body = NoteSerializer

    def act(self, step, user, data):
        actions.step_resubmit(step=step, actor=user, note=data["note"])


@extend_schema_view(post=_action_schema(RefuseSerializer, "Refuse the dossier with reasons (form 03)"))
class RefuseView(_StepAction):
    body = RefuseSerializer

    def act(self, step, user, data):
        actions.step_refuse(step=step, officer=user, reasons=data["reasons"])


class SupplementAnswerView(APIView):
    """The citizen's answer to a request for missing documents: the clock resumes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SupplementAnswerSerializer,
        responses={200: DossierStepSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request, code):
        dossier = dossiers_visible_to(request.user).filter(code=code).first()
        if dossier is None:
            raise Http404
        body = SupplementAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            step = actions.supplement_answer(
                dossier=dossier,
                user=request.user,
                note=body.validated_data["note"],
                files=body.validated_data["files"],
            )
        except services.RoutingError as error:
            return _refused(error)
        step.refresh_from_db()
        return Response(DossierStepSerializer(step).data)
