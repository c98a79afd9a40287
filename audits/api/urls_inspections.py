"""The scheduled inspections' endpoints and the weekly ranking (included from ``config.urls``)."""

from rest_framework.routers import SimpleRouter

from audits.api import inspections, rankings

router = SimpleRouter()
router.register("inspection-runs", inspections.InspectionRunViewSet, basename="api-inspection-run")
router.register("inspection-rules", inspections.InspectionRuleViewSet, basename="api-inspection-rule")
router.register("findings", inspections.FindingViewSet, basename="api-finding")
router.register("notices", inspections.NoticeViewSet, basename="api-notice")
router.register("rankings", rankings.RankingViewSet, basename="api-ranking")

urlpatterns = router.urls
