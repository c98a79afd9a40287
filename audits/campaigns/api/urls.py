from rest_framework.routers import SimpleRouter

from audits.campaigns.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="api-campaign")
router.register("self-inspections", views.SelfInspectionViewSet, basename="api-self-inspection")
router.register("meetings", views.MeetingViewSet, basename="api-meeting")
router.register("decisions", views.DecisionViewSet, basename="api-decision")
router.register("closure-orders", views.ClosureOrderViewSet, basename="api-closure-order")

urlpatterns = router.urls
