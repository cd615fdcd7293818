"""Bench-only endpoints: one dossier submission through the real service, and a one-row insert floor."""

import itertools

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from accounts.models import User
from agencies.models import Centre
from portal.demo import DEMO_CITIZEN_ID
from procedures.models import FormDefinition
from procedures.services import dossier_submit

CENTRE_CODES = ["000.00.01.H26", "000.00.02.H26", "000.00.03.H26"]
DATA = {
    "applicant__full_name": "Nguyễn Thị Lan",
    "applicant__birth_date": "1988-03-14",
    "applicant__gender": "female",
    "applicant__citizen_id": DEMO_CITIZEN_ID,
    "residence__street": "Số 12 Phố Phạm Văn Bạch",
    "marital_status": "single",
    "purpose": "vay-von",
    "copies": 1,
}


_turn = itertools.count()


def submit(request):
    # Looked up per request, as the wizard's last step does; a GET only because the load tool sends GETs.
    # ?spread=1 takes the demo's centres in turn (each has its own daily sequence row), as real
    # traffic spreads over many centres; without it every submission contends for one row.
    # The form and its procedure in one query, as the wizard's draft holds them; the definition is
    # not read, since this view sends answers already checked against it.
    form = (
        FormDefinition.objects.select_related("procedure")
        .defer("definition")
        .filter(procedure__slug="xac-nhan-tinh-trang-hon-nhan")
        .latest("version")
    )
    codes = CENTRE_CODES if request.GET.get("spread") else CENTRE_CODES[:1]
    dossier = dossier_submit(
        form=form,
        centre=Centre.objects.get(code=codes[next(_turn) % len(codes)]),
        channel="online",
        applicant_citizen_id=DEMO_CITIZEN_ID,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=User.objects.get(username=DEMO_CITIZEN_ID),
        data=DATA,
    )
    return HttpResponse(dossier.code)


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_floor (at) VALUES (now())")
    return HttpResponse("ok")


urlpatterns = [
    path("bench/submit/", submit),
    path("bench/floor/", floor),
    path("", include("portal.urls")),
]
