"""No personal data in the logs by default (Decree 13/2023): the local SMS gateway and the mail
backend of the embedded default log masked addresses and no text; a 403 logs no traceback."""

import io
import logging

from django.core import mail

from notifications.channels.sms import LocalSmsGateway
from portal.log_filters import ForbiddenWithoutTrace

PHONE = "0912345678"
CODE_TEXT = "Ma xac thuc MotCua: 482913"


def test_the_local_sms_gateway_logs_a_masked_number_and_no_text(caplog, settings):
    settings.LOG_PERSONAL_DATA = False
    with caplog.at_level(logging.INFO, logger="notifications.channels.sms"):
        LocalSmsGateway().send(to=PHONE, text=CODE_TEXT)
    assert "*******678" in caplog.text
    assert PHONE not in caplog.text
    assert "482913" not in caplog.text
    settings.LOG_PERSONAL_DATA = True  # a demo machine (`make run`) shows it all, to read codes
    with caplog.at_level(logging.INFO, logger="notifications.channels.sms"):
        LocalSmsGateway().send(to=PHONE, text=CODE_TEXT)
    assert "482913" in caplog.text


def test_the_default_mail_backend_logs_a_masked_address_and_no_body(caplog, settings):
    settings.LOG_PERSONAL_DATA = False
    settings.EMAIL_BACKEND = "notifications.channels.email.LoggedEmailBackend"
    with caplog.at_level(logging.INFO, logger="notifications.channels.email"):
        sent = mail.send_mail("Mã khôi phục", CODE_TEXT, None, ["nguyen.lan@example.vn"])
    assert sent == 1
    assert "n***@example.vn" in caplog.text
    assert "nguyen.lan" not in caplog.text
    assert "482913" not in caplog.text


def test_the_embedded_default_does_not_print_mail_whole():
    # pytest-django swaps in locmem for the tests; the product's own default is read from settings.
    from portal import settings as product

    assert product.EMAIL_BACKEND == "notifications.channels.email.LoggedEmailBackend"
    assert "forbidden_without_trace" in product.LOGGING["handlers"]["console"]["filters"]


def test_a_403_is_logged_in_one_line_without_a_traceback(client, django_user_model):
    from procedures.services import procedures_load

    procedures_load()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ForbiddenWithoutTrace())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        citizen = django_user_model.objects.create_user(username="c403", password="x")  # no citizen ID
        client.force_login(citizen)
        response = client.post("/thu-tuc/xac-nhan-tinh-trang-hon-nhan/nop-truc-tuyen/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    assert "Forbidden" in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_the_filter_never_raises_on_a_strange_record():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x %s", (["a"],), None)
    record.status_code = 403
    record.exc_info = (ValueError, ValueError("boom"), None)
    assert ForbiddenWithoutTrace().filter(record) is True
    assert record.exc_info is None
