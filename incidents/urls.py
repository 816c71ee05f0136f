from django.urls import path

from . import feed_views, respond_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/live/", views.incident_live, name="live"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/status/", views.incident_status, name="status"),
    path("<int:pk>/note/", views.incident_note, name="note"),
    path("<int:pk>/dispatch/", views.incident_dispatch, name="dispatch"),
    path("<int:pk>/preserve-recordings/", views.incident_preserve_recordings, name="preserve-recordings"),
    path("<int:pk>/attach/snapshot/", views.incident_attach_snapshot, name="attach-snapshot"),
    path("<int:pk>/attach/plate/", views.incident_attach_plate, name="attach-plate"),
    path("<int:pk>/cap.xml", views.incident_cap, name="cap"),
    path("timeline/<int:pk>/file", views.timeline_file, name="timeline-file"),
    path("respond/", respond_views.respond, name="respond"),
    path("respond/<int:pk>/card/", respond_views.respond_card, name="respond-card"),
    path("respond/<int:pk>/acknowledge/", respond_views.respond_acknowledge, name="acknowledge"),
    path("respond/<int:pk>/cameras/<int:camera_id>.jpg", respond_views.respond_snapshot, name="respond-snapshot"),
    path("feeds/<slug:agency>/cap.atom", feed_views.agency_feed, name="agency-feed"),
    path("feeds/<slug:agency>/<int:pk>/cap.xml", feed_views.agency_cap, name="agency-cap"),
]
