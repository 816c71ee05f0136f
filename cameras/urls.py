from django.urls import path

from . import views

app_name = "cameras"
urlpatterns = [
    path("", views.camera_list, name="list"),
    path("<int:pk>/", views.camera_detail, name="detail"),
]
