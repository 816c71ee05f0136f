from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.sites, name="sites"),
    path("footage/", views.footage, name="footage"),
]
