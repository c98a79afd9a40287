from django.urls import path

from audits.views import (
    campaigns,
    closure_orders,
    inspections,
    meetings,
    merge_targets,
    ranking,
    self_inspections,
    todo,
    trail,
)

urlpatterns = [
    # The campaign
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/start/", campaigns.campaign_start, name="campaign_start"),
    path("campaigns/<int:pk>/result.xlsx", campaigns.campaign_result_export, name="campaign_result_export"),
    # Step 1: self-inspections
    path("self-inspections/", self_inspections.self_inspection_list, name="self_inspection_list"),
    path(
        "self-inspections/<int:pk>/", self_inspections.self_inspection_detail, name="self_inspection_detail"
    ),
    # Step 2: the review and its meetings
    path("campaigns/<int:pk>/review/", campaigns.campaign_review, name="campaign_review"),
    path("campaigns/<int:pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_update, name="meeting_update"),
    path(
        "meetings/<int:pk>/decisions.xlsx", meetings.meeting_decisions_export, name="meeting_decisions_export"
    ),
    # The search behind every merge-target picker
    path("merge-targets/", merge_targets.merge_target_search, name="merge_target_search"),
    # Step 3: closure orders
    path("closure-orders/", closure_orders.closure_order_list, name="closure_order_list"),
    path("closure-orders/<int:pk>/", closure_orders.closure_order_detail, name="closure_order_detail"),
    path(
        "closure-orders/<int:pk>/confirm/", closure_orders.closure_order_confirm, name="closure_order_confirm"
    ),
    path("closure-orders/<int:pk>/verify/", closure_orders.closure_order_verify, name="closure_order_verify"),
    path("closure-orders/<int:pk>/reject/", closure_orders.closure_order_reject, name="closure_order_reject"),
    path(
        "closure-orders/<int:pk>/evidence/",
        closure_orders.closure_order_evidence,
        name="closure_order_evidence",
    ),
]

# The scheduled inspections (定期巡查)
inspection_urlpatterns = [
    path("inspections/", inspections.inspection_run_list, name="inspection_run_list"),
    path("inspections/run/", inspections.inspection_run_create, name="inspection_run_create"),
    path("inspections/schedule/", inspections.inspection_schedule_update, name="inspection_schedule_update"),
    path("inspections/<int:pk>/", inspections.inspection_run_detail, name="inspection_run_detail"),
    path("inspections/<int:pk>/status/", inspections.inspection_run_status, name="inspection_run_status"),
    path("inspections/<int:pk>/report.xlsx", inspections.inspection_run_export, name="inspection_run_export"),
    path("inspections/rules/", inspections.rule_list, name="rule_list"),
    path("inspections/rules/<int:pk>/edit/", inspections.rule_update, name="rule_update"),
    path("findings/", inspections.finding_list, name="finding_list"),
    path("findings/<int:pk>/", inspections.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/waive/", inspections.finding_waive, name="finding_waive"),
    path("notices/", inspections.notice_list, name="notice_list"),
    path("notices/<int:pk>/", inspections.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/respond/", inspections.notice_respond, name="notice_respond"),
    path("notices/<int:pk>/accept/", inspections.notice_accept, name="notice_accept"),
    path("notices/<int:pk>/return/", inspections.notice_return, name="notice_return"),
]
urlpatterns += inspection_urlpatterns

# The weekly ranking (周榜)
urlpatterns += [
    path("rankings/", ranking.ranking_page, name="ranking"),
    path("rankings/compute/", ranking.ranking_compute, name="ranking_compute"),
    path("rankings/export.xlsx", ranking.ranking_export, name="ranking_export"),
]

# The audit trail (操作日志)
urlpatterns += [
    path("trail/", trail.audit_event_list, name="audit_event_list"),
    path("trail/export.xlsx", trail.audit_event_export, {"fmt": "xlsx"}, name="audit_event_export_xlsx"),
    path("trail/export.csv", trail.audit_event_export, {"fmt": "csv"}, name="audit_event_export_csv"),
]

# The to-do page (待办) and the office's reminders (催办)
urlpatterns += [
    path("todo/", todo.todo, name="todo"),
    path("departments/<int:pk>/remind/", todo.reminder_send_view, name="reminder_send"),
]
