"""URLs of the footage library (mounted at /footage/)."""

from django.urls import path

from . import views

app_name = "footage"
urlpatterns = [
    path("", views.library, name="library"),
    path("upload/", views.upload, name="upload"),
    path("pull/", views.pull, name="pull"),
    path("<int:pk>/", views.clip_detail, name="clip"),
    path("<int:pk>/video", views.clip_video, name="video"),
    path("<int:pk>/download", views.clip_download, name="download"),
    path("<int:pk>/thumbs/<int:n>.jpg", views.clip_thumbnail, name="thumbnail"),
    path("<int:pk>/jobs/", views.job_start, name="job-start"),
    path("<int:pk>/bookmarks/", views.bookmark_add, name="bookmark-add"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/redact/", views.redact, name="redact"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("plates/<int:pk>.jpg", views.plate_crop, name="plate-crop"),
    path("exports/<int:pk>.zip", views.export_download, name="export-download"),
]
