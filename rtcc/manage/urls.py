"""URLs of the manage pages, under /manage/."""

from django.urls import path

from . import center_views, hotlist_views, views

app_name = "manage"
urlpatterns = [
    path("", views.index, name="index"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user-new"),
    path("users/<int:pk>/", views.user_edit, name="user"),
    path("users/<int:pk>/active/", views.user_active, name="user-active"),
    path("users/<int:pk>/password-link/", views.user_reset, name="user-reset"),
    path("hotlists/", hotlist_views.hotlists, name="hotlists"),
    path("hotlists/new/", hotlist_views.hotlist_new, name="hotlist-new"),
    path("hotlists/<int:pk>/", hotlist_views.hotlist_detail, name="hotlist"),
    path("hotlists/<int:pk>/entries/", hotlist_views.entry_add, name="entry-add"),
    path("hotlists/<int:pk>/entries/<int:entry_pk>/remove/", hotlist_views.entry_remove, name="entry-remove"),
    path("agencies/", center_views.agencies, name="agencies"),
    path("agencies/new/", center_views.agency_new, name="agency-new"),
    path("agencies/<int:pk>/", center_views.agency_edit, name="agency"),
    path("keys/", center_views.keys, name="keys"),
    path("keys/intake/", center_views.intake_new, name="intake-new"),
    path("keys/intake/<int:pk>/revoke/", center_views.intake_revoke, name="intake-revoke"),
    path("keys/device/", center_views.device_new, name="device-new"),
    path("keys/device/<int:pk>/revoke/", center_views.device_revoke, name="device-revoke"),
]
