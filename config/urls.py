from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.forms import AdminSignInForm
from config.views import api_not_found, favicon, healthz

handler500 = "config.views.server_error"

# One name for the site everywhere, the administration included (templates/frame.html).
admin.site.site_header = admin.site.site_title = _("Government new-media registry")
# The admin's own sign-in is a door too: the same rate limit and lockout as the site's form.
admin.site.login_form = AdminSignInForm

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("registry.api.urls")),
    path("", include("content.api.urls")),
    path("", include("audits.campaigns.api.urls")),
    path("", include("audits.inspections.api.urls")),
    path("", include("audits.ranking.api.urls")),
    path("", include("audits.releases.api.urls")),
    path("", include("audits.trail.api.urls")),
    path("", include("audits.todo.api.urls")),
]

urlpatterns = [
    path("", include("registry.urls")),
    path("", include("audits.urls")),
    path("", include("content.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # A browser is sent to sign in first (SERVE_PERMISSIONS would answer it a bare 401).
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    re_path(r"^api/", api_not_found),  # last: whatever /api/ URL the patterns above do not serve
]
