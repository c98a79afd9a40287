from django.urls import path

from audits.inspections import views

# The scheduled inspections (定期巡查)
urlpatterns = [
    path("inspections/", views.inspection_run_list, name="inspection_run_list"),
    path("inspections/run/", views.inspection_run_create, name="inspection_run_create"),
    path("inspections/schedule/", views.inspection_schedule_update, name="inspection_schedule_update"),
    path("inspections/<int:pk>/", views.inspection_run_detail, name="inspection_run_detail"),
    path("inspections/<int:pk>/status/", views.inspection_run_status, name="inspection_run_status"),
    path("inspections/<int:pk>/report.xlsx", views.inspection_run_export, name="inspection_run_export"),
    path("inspections/rules/", views.rule_list, name="rule_list"),
    path("inspections/rules/<int:pk>/edit/", views.rule_update, name="rule_update"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/waive/", views.finding_waive, name="finding_waive"),
    path("findings/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/respond/", views.notice_respond, name="notice_respond"),
    path("notices/<int:pk>/accept/", views.notice_accept, name="notice_accept"),
    path("notices/<int:pk>/return/", views.notice_return, name="notice_return"),
]
