"""The production settings plus two bench-only endpoints (never in portal/urls.py)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.submissions_site.urls"
