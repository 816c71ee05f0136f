"""The public pages an e-mailed password link opens (under /login/, beside sign-in)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("done/", views.password_reset_complete, name="password_reset_complete"),
]
