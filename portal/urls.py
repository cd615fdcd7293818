from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("", include("health.urls")),
    path("", include("accounts.urls")),
    path("", include("procedures.urls")),
    path("", include("queueing.urls")),
    path("", include("documents.urls")),
    path("", include("calendars.urls")),
    path("", include("notifications.urls")),
    path("", include("connectors.urls")),
    path("", include("routing.urls")),
    path("", include("dashboard.urls")),
    path("", include("satisfaction.urls")),
    path("", include("registry.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from the pinned sidecar package; its start-up script is a separate file (no inline JS).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.DJANGO_ADMIN_ENABLED:
    # For developers only, and only where switched on: staff and supervisors have their own pages,
    # and a sign-in form nobody needs is one more to guess passwords at.
    urlpatterns.append(path("django-admin/", admin.site.urls))
# MEDIA is never served as static files: uploads and issued documents go out only through
# views that check who is asking (procedures' attachments, documents' downloads).
