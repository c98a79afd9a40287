from django.urls import path

from registry.views import browse

urlpatterns = [
    # Browsing: dashboard, departments, media accounts, matrix
    path("", browse.home, name="home"),
    # Filing and approval
    # Spreadsheets
    # Public verification
]
