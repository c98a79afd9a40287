from django.urls import path
from rest_framework.routers import SimpleRouter

from registry.api import metrics, views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="api-department")
router.register("media-accounts", views.MediaAccountViewSet, basename="api-media-account")
router.register("filings", views.FilingViewSet, basename="api-filing")
router.register("metrics", metrics.MetricViewSet, basename="api-metric")
router.register("exports", views.ExportJobViewSet, basename="api-export")

urlpatterns = [
    *router.urls,
    path("verify/", views.VerifyView.as_view(), name="api-verify"),
]
