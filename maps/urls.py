"""URLs of the street map: /maps/tiles/<z>/<x>/<y>.<ext>, /maps/outline.geojson, /maps/search/?q=,
/maps/layers/<map>/."""

from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("tiles/<int:z>/<int:x>/<int:y>.<str:ext>", views.tile, name="tile"),
    path("outline.geojson", views.outline, name="outline"),
    path("search/", views.search, name="search"),
    path("layers/<slug:map_name>/", views.layers, name="layers"),
]
