"""Form versions, procedures and centres are kept per process for a while, not read on every step."""

from procedures import selectors
from procedures.models import Procedure
from procedures.services import procedures_load


def test_a_form_version_is_read_once_then_kept(catalogue, centre, settings, django_assert_num_queries):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 60
    form = Procedure.objects.get(slug="dang-ky-khai-sinh").current_form()
    with django_assert_num_queries(1):
        first = selectors.form_version(form.pk)
        assert first.procedure.slug == "dang-ky-khai-sinh"  # its procedure comes with it
    with django_assert_num_queries(0):
        assert selectors.form_version(form.pk) is first
    with django_assert_num_queries(1):
        assert selectors.filing_centre(centre.pk).code == centre.code
    with django_assert_num_queries(0):
        assert selectors.filing_centre(str(centre.pk)).code == centre.code


def test_loading_the_catalogue_forgets_what_was_kept(catalogue, settings):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 60
    procedure = Procedure.objects.get(slug="dang-ky-khai-sinh")
    kept = selectors.current_form("dang-ky-khai-sinh")
    Procedure.objects.filter(pk=procedure.pk).update(time_limit_days=99)
    assert selectors.current_form("dang-ky-khai-sinh") is kept  # stale until the next load …
    procedures_load()
    fresh = selectors.current_form("dang-ky-khai-sinh")
    assert fresh is not kept
    assert fresh.procedure.time_limit_days == kept.procedure.time_limit_days != 99  # … which reset it


def test_nothing_is_kept_when_the_setting_is_zero(catalogue, settings, django_assert_num_queries):
    settings.PROCEDURES_CATALOGUE_CACHE_SECONDS = 0
    form = Procedure.objects.get(slug="dang-ky-khai-sinh").current_form()
    selectors.form_version(form.pk)
    with django_assert_num_queries(1):
        selectors.form_version(form.pk)
