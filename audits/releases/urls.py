from django.urls import path

from audits.releases import views

# Coordinated releases (集中发声)
urlpatterns = [
    path("command/", views.command_view, name="command_view"),
    path("releases/", views.release_task_list, name="release_task_list"),
    path("releases/new/", views.release_task_create, name="release_task_create"),
    path("releases/<int:pk>/", views.release_task_detail, name="release_task_detail"),
    path("releases/<int:pk>/start/", views.release_task_start, name="release_task_start"),
    path("releases/<int:pk>/report.xlsx", views.release_task_export, name="release_task_export"),
    path("releases/<int:pk>/image/", views.release_task_image, name="release_task_image"),
    path("release-parts/<int:pk>/report/", views.release_part_report, name="release_part_report"),
    path("release-parts/<int:pk>/excuse/", views.release_part_excuse, name="release_part_excuse"),
]
