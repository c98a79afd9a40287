from django.urls import path

from audits.campaigns.views import (
    campaigns,
    closure_orders,
    meetings,
    merge_targets,
    self_inspections,
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
