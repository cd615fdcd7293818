import pytest

from agencies.models import Agency
from documents.models import Document
from documents.services import documents_generate, marital_status_confirmation_request
from portal.demo import DEMO_CITIZEN_ID


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def civil_status(demo):
    return Agency.objects.get(code="TP-000.00.01.H26")


@pytest.fixture
def issued(civil_status, django_capture_on_commit_callbacks):
    """A marital-status confirmation for the demo citizen, generated as the documents' worker would."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = marital_status_confirmation_request(
            citizen_id=DEMO_CITIZEN_ID, purpose="Đăng ký kết hôn", issuer=civil_status, number="15/XNTTHN"
        )
    assert callbacks == []  # nothing is published: the pending row is the work
    assert documents_generate() == 1  # the worker's drain
    return Document.objects.get(pk=document.pk)
