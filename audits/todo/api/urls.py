from django.urls import path
from rest_framework.routers import SimpleRouter

from audits.todo.api import views

router = SimpleRouter()
router.register("reminders", views.ReminderViewSet, basename="api-reminder")

urlpatterns = [path("todo/", views.TodoView.as_view(), name="api-todo"), *router.urls]
