from django.urls import path

from audits.views import closure_orders, inspections, ranking, self_inspections

urlpatterns = [
    # Step 1: self-inspections
    path("self-inspections/", self_inspections.self_inspection_list, name="self_inspection_list"),
    # Step 3: closure orders
    path("closure-orders/", closure_orders.closure_order_list, name="closure_order_list"),
    path("closure-orders/<int:pk>/", closure_orders.closure_order_detail, name="closure_order_detail"),
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
]
