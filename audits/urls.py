from django.urls import path

from audits.views import closure_orders, inspections, self_inspections

urlpatterns = [
    # Step 1: self-inspections
    path("self-inspections/", self_inspections.self_inspection_list, name="self_inspection_list"),
    # Step 3: closure orders
    path("closure-orders/", closure_orders.closure_order_list, name="closure_order_list"),
    path("closure-orders/<int:pk>/", closure_orders.closure_order_detail, name="closure_order_detail"),
]

# The scheduled inspections (定期巡查)
inspection_urlpatterns = [
    path("notices/<int:pk>/", inspections.notice_detail, name="notice_detail"),
]
urlpatterns += inspection_urlpatterns
