"""What filing reads is kept per process for PROCEDURES_CATALOGUE_CACHE_SECONDS, then read again;
a form not found is not kept."""

import time

from procedures import selectors
from procedures.models import Procedure


def test_a_form_version_is_read_again_once_its_time_is_up(catalogue, settings, django_assert_num_queries):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 0.2
    form = Procedure.objects.get(slug="dang-ky-khai-sinh").current_form()
    first = selectors.form_version(form.pk)
    with django_assert_num_queries(0):
        assert selectors.form_version(form.pk) is first
    time.sleep(0.3)
    with django_assert_num_queries(1):
        assert selectors.form_version(form.pk) is not first


def test_a_procedure_without_a_form_is_asked_again_each_time(catalogue, settings, django_assert_num_queries):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 60
    assert selectors.current_form("khong-co-thu-tuc-nay") is None
    with django_assert_num_queries(1):
        assert selectors.current_form("khong-co-thu-tuc-nay") is None


def test_forgetting_drops_everything_kept(catalogue, centre, settings, django_assert_num_queries):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 60
    kept = selectors.filing_centre(centre.pk)
    selectors.forget_kept()
    with django_assert_num_queries(1):
        assert selectors.filing_centre(centre.pk) is not kept
