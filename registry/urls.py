from django.urls import path

from registry.views import browse

urlpatterns = [
    # Browsing: dashboard, departments, media accounts, matrix
    path("", browse.home, name="home"),
    path("departments/", browse.department_list, name="department_list"),
    path("departments/<int:pk>/", browse.department_detail, name="department_detail"),
    path("media-accounts/", browse.media_account_list, name="media_account_list"),
    path("media-accounts/<int:pk>/", browse.media_account_detail, name="media_account_detail"),
    path("matrix/", browse.matrix, name="matrix"),
    # Filing and approval
    # Spreadsheets
    # Public verification
]
