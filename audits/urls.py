"""The pages of every domain: each domain lists its own (every URL name and path as before)."""

from django.urls import include, path

urlpatterns = [
    path("", include("audits.campaigns.urls")),
    path("", include("audits.inspections.urls")),
    path("", include("audits.ranking.urls")),
    path("", include("audits.releases.urls")),
    path("", include("audits.trail.urls")),
    path("", include("audits.todo.urls")),
]
