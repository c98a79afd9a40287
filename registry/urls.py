from django.urls import path

from registry.views import home

urlpatterns = [
    path("", home, name="home"),
]
