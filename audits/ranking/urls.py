from django.urls import path

from audits.ranking import views

# The weekly ranking (周榜)
urlpatterns = [
    path("rankings/", views.ranking_page, name="ranking"),
    path("rankings/compute/", views.ranking_compute, name="ranking_compute"),
    path("rankings/export.xlsx", views.ranking_export, name="ranking_export"),
]
