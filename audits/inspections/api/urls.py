"""The scheduled inspections' endpoints (included from ``config.urls``)."""

from rest_framework.routers import SimpleRouter

from audits.inspections.api import views

router = SimpleRouter()
router.register("inspection-runs", views.InspectionRunViewSet, basename="api-inspection-run")
router.register("inspection-rules", views.InspectionRuleViewSet, basename="api-inspection-rule")
router.register("findings", views.FindingViewSet, basename="api-finding")
router.register("notices", views.NoticeViewSet, basename="api-notice")

urlpatterns = router.urls
