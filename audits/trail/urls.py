from django.urls import path

from audits.trail import views

# The audit trail (操作日志)
urlpatterns = [
    path("trail/", views.audit_event_list, name="audit_event_list"),
    path("trail/export.xlsx", views.audit_event_export, {"fmt": "xlsx"}, name="audit_event_export_xlsx"),
    path("trail/export.csv", views.audit_event_export, {"fmt": "csv"}, name="audit_event_export_csv"),
]
