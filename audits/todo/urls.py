from django.urls import path

from audits.todo import views

# The to-do page (待办) and the office's reminders (催办)
urlpatterns = [
    path("todo/", views.todo, name="todo"),
    path("departments/<int:pk>/remind/", views.reminder_send_view, name="reminder_send"),
]
