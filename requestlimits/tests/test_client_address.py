"""One client address (requestlimits/client_address.py), counted from the proxy's end of X-Forwarded-For,
for the rate limits and the documents' access log (the sign-in lockout: accounts/tests)."""

import pytest
from django.test import Client, RequestFactory

from agencies.models import Agency
from documents.models import Access, Document
from requestlimits.client_address import client_address

PROXY = "10.0.0.1"  # the nginx in front of gunicorn: every request comes from it
VERIFY_API = "/api/v1/documents/NO-SUCH-CODE/verify/"


def _request(forwarded=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy configured: the header is only what the client says
        (1, None, PROXY),
        (1, "198.51.100.7", "198.51.100.7"),  # what nginx wrote
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # the client wrote the first entry
        (1, "1.1.1.1, 2.2.2.2,198.51.100.7 ", "198.51.100.7"),
        (2, "203.0.113.9, 198.51.100.7, 192.0.2.1", "198.51.100.7"),  # CDN then nginx
        (2, "198.51.100.7", "198.51.100.7"),  # came through one proxy only
        (1, "203.0.113.9, not-an-address", PROXY),
        (1, "203.0.113.9, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_counted_from_the_right(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_address(_request(forwarded)) == expected


def _rotating(client, path, count, *, real="198.51.100.7"):
    """`count` requests from one client writing a new X-Forwarded-For each time."""
    return [
        client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {real}").status_code
        for n in range(count)
    ]


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit_behind_the_proxy(db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_TLS_PROXY
    settings.TRUSTED_PROXY_HOPS = 1
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"verify": "3/minute"}
    client = Client()
    assert _rotating(client, VERIFY_API, 5) == [404, 404, 404, 429, 429]
    assert _rotating(client, "/verify/NO-SUCH-CODE/", 1) == [429]  # the page shares the count
    # Another client behind the same proxy has its own count.
    assert _rotating(client, VERIFY_API, 1, real="198.51.100.8") == [404]


def test_without_a_trusted_proxy_the_header_is_ignored_entirely(db, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"verify": "3/minute"}
    client = Client()
    statuses = [
        client.get(VERIFY_API, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    # Nor can a client spend someone else's allowance by naming them.
    other = client.get(VERIFY_API, REMOTE_ADDR="192.0.2.51", HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert other.status_code == 404


@pytest.fixture
def document(db, hanoi):
    from divisions.models import Province

    agency = Agency.objects.create(
        code="T18.HTTP", name="UBND phường thử", kind=Agency.Kind.ONE_STOP, province=Province.objects.first()
    )
    return Document.objects.create(
        code="T18HTTPDOC", kind=Document.Kind.RECEIPT, issuer=agency, key="t18:http", holder_hint="N*** A"
    )


def test_the_access_log_records_the_client_not_the_proxy_nor_what_the_client_wrote(document, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    client = Client()
    for path in (f"/verify/{document.code}/", f"/api/v1/documents/{document.code}/verify/"):
        response = client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
        assert response.status_code == 200
    assert list(Access.objects.values_list("network", flat=True)) == ["198.51.100.0/24"] * 2
