from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.board, name="board"),
    path("respond/", views.respond, name="respond"),
]
