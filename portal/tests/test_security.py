"""Security settings and headers that every page must carry."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

ROOT = Path(__file__).resolve().parents[2]
# Templates of pages a browser shows (the PDF templates under templates/documents are rendered by
# WeasyPrint, never served, so the CSP does not apply to them).
PAGE_TEMPLATES = [
    p
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
    for p in folder.rglob("*.html")
    if "documents" not in p.relative_to(folder).parts[:1]
]


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    import portal.settings as real  # the module itself, not the tests' fast override

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("motcua-demo-2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_template_has_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: move it to static/js"
    assert "<style" not in text, "inline <style>: move it to static/css"
    assert not re.search(r"\sstyle=", text), "style= attribute: use a class"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler: use a static script"


def test_uploads_are_never_served_as_static_files(client, db):
    name = default_storage.save("dossiers/2026/11/secret.png", ContentFile(b"\x89PNG secret"))
    try:
        assert client.get(f"/{settings.MEDIA_URL}{name}").status_code == 404
    finally:
        default_storage.delete(name)


def test_the_public_lookup_takes_no_citizen_id_in_the_url(client, demo):
    page = client.get("/tra-cuu-ho-so/", {"code": "x", "citizen_id": "001188123456"})
    assert 'method="post"' in page.content.decode()
    assert page.context["searched"] is False  # a GET never searches


def test_the_api_docs_page_is_served_from_our_own_static_files(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
