from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.sites, name="sites"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_decide, name="decide"),
    path("map/", views.registry_map, name="map"),
    path("nearby/", views.nearby, name="nearby"),
    path("footage/", views.footage, name="footage"),
    path("incidents/<int:incident_id>/footage-requests/", views.footage_request_create, name="footage_request_create"),
]
