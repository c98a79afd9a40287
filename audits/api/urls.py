from django.urls import path
from rest_framework.routers import SimpleRouter

from audits.api import todo, trail, views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="api-campaign")
router.register("self-inspections", views.SelfInspectionViewSet, basename="api-self-inspection")
router.register("meetings", views.MeetingViewSet, basename="api-meeting")
router.register("decisions", views.DecisionViewSet, basename="api-decision")
router.register("events", trail.AuditEventViewSet, basename="api-event")
router.register("closure-orders", views.ClosureOrderViewSet, basename="api-closure-order")
router.register("reminders", todo.ReminderViewSet, basename="api-reminder")

urlpatterns = [path("todo/", todo.TodoView.as_view(), name="api-todo"), *router.urls]
