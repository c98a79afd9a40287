"""The coordinated releases' endpoints (included from ``config.urls``)."""

from rest_framework.routers import SimpleRouter

from audits.releases.api import views

router = SimpleRouter()
router.register("release-tasks", views.ReleaseTaskViewSet, basename="api-release-task")
router.register("release-assignments", views.ReleaseAssignmentViewSet, basename="api-release-assignment")

urlpatterns = router.urls
