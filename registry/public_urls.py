"""Public registry pages under /register/: the form, and what owners reach through signed links."""

from django.urls import path

from . import public_views as views

app_name = "registry-public"
urlpatterns = [
    path("", views.register, name="register"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("terms/", views.terms, name="terms"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/still-correct/", views.verify, name="verify"),
    path("manage/<str:token>/stop-sharing/<int:camera_id>/", views.stop_sharing, name="stop_sharing"),
    path("manage/<str:token>/new-link/", views.new_link, name="new_link"),
    path("manage/<str:token>/delete/", views.delete, name="delete"),
    path("footage/<str:token>/", views.footage_upload, name="upload"),
    path("footage/<str:token>/decline/", views.footage_decline, name="decline"),
]
