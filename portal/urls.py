from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health/", views.health, name="health"),
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
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # For developers only; staff and supervisors have their own pages.
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
