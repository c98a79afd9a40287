from rest_framework.routers import SimpleRouter

from audits.trail.api import views

router = SimpleRouter()
router.register("events", views.AuditEventViewSet, basename="api-event")

urlpatterns = router.urls
