"""Bench-only endpoints: one dossier submission through the real service, and a one-row insert floor."""

import functools
import itertools

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from accounts.models import User
from agencies.models import Centre
from portal.demo import DEMO_CITIZEN_ID
from procedures import selectors
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
    # What the wizard's last step does with what it has in hand: the draft's form version and the
    # centre from this process's keep (procedures.selectors), the signed-in user, whom the
    # authentication middleware loaded (the floor, not signed in, loads nobody either).
    # A GET only because the load tool sends GETs. ?spread=1 takes the demo's centres in turn
    # (each has its own daily sequence row), as real traffic spreads over many centres; without it
    # every submission contends for one row.
    form = selectors.current_form("xac-nhan-tinh-trang-hon-nhan")
    codes = CENTRE_CODES if request.GET.get("spread") else CENTRE_CODES[:1]
    dossier = dossier_submit(
        form=form,
        centre=selectors.filing_centre(_centre_ids()[codes[next(_turn) % len(codes)]]),
        channel="online",
        applicant_citizen_id=DEMO_CITIZEN_ID,
        applicant_name="Nguyễn Thị Lan",
        submitted_by=_signed_in(),
        data=DATA,
    )
    return HttpResponse(dossier.code)


@functools.cache
def _centre_ids() -> dict[str, int]:
    # A draft names its centre by id; the bench names the demo's centres by code.
    return dict(Centre.objects.filter(code__in=CENTRE_CODES).values_list("code", "pk"))


@functools.cache
def _signed_in():
    return User.objects.get(username=DEMO_CITIZEN_ID)


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_floor (at) VALUES (now())")
    return HttpResponse("ok")


urlpatterns = [
    path("bench/submit/", submit),
    path("bench/floor/", floor),
    path("", include("portal.urls")),
]
