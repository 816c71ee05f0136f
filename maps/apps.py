"""The street map: the city's basemap file, its address points, and address search."""

from django.apps import AppConfig


class MapsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "maps"
    verbose_name = "Maps"
