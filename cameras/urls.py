from django.urls import path

from . import views

app_name = "cameras"
urlpatterns = [
    path("", views.camera_list, name="list"),
    path("wall/", views.camera_wall, name="wall"),
    path("<int:pk>/", views.camera_detail, name="detail"),
    path("<int:pk>/test/", views.camera_test_stream, name="test-stream"),
    path("<int:pk>/snapshot.jpg", views.camera_snapshot, name="snapshot"),
    path("<int:pk>/live.mjpg", views.camera_live, name="live"),
    path("<int:pk>/replay.mp4", views.camera_replay, name="replay"),
    path("<int:pk>/keep/", views.camera_keep_recent, name="keep-recent"),
]
