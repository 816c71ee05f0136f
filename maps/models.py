"""The installed basemap file and the city's address points (what address search looks in first)."""

from pathlib import Path

from django.conf import settings
from django.db import models

from rtcc.geo import coordinate_constraints, latitude_field, longitude_field

from .normalise import street_key


class Basemap(models.Model):
    """A raster MBTiles file copied under MEDIA_ROOT by `manage.py install_basemap`; the newest is the one served."""

    name = models.CharField(max_length=200)
    file = models.CharField(max_length=300, help_text="Path under MEDIA_ROOT.")
    tile_format = models.CharField(max_length=8, help_text="png or jpg: the tiles' image type.")
    min_zoom = models.PositiveSmallIntegerField()
    max_zoom = models.PositiveSmallIntegerField()
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    tile_count = models.PositiveIntegerField()
    attribution = models.CharField(max_length=300, blank=True)
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-installed_at", "-pk"]
        get_latest_by = ["installed_at", "pk"]

    def __str__(self):
        return f"{self.name} (zoom {self.min_zoom}-{self.max_zoom})"

    @property
    def path(self):
        return Path(settings.MEDIA_ROOT) / self.file

    @property
    def bounds(self):
        """West, south, east, north in degrees."""
        return (self.west, self.south, self.east, self.north)


class AddressPoint(models.Model):
    """One address from the city's open-data address points (OpenAddresses-style CSV)."""

    number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    # The street name folded for search ("N Carrollton Ave" and "North Carrollton Avenue" both "n carrollton ave").
    street_key = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["street_key", "number"]
        indexes = [models.Index(fields=["street_key", "number"], name="maps_address_street_number")]
        constraints = coordinate_constraints("maps_addresspoint")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.street_key = street_key(self.street)
        super().save(*args, **kwargs)

    @property
    def label(self):
        first = " ".join(part for part in (self.number, self.street) if part)
        if self.unit:
            first += f" #{self.unit}"
        return ", ".join(part for part in (first, self.city, self.postcode) if part)


class LayerPreference(models.Model):
    """Which layers one person shows on one kind of map ("dashboard", "board"): it follows them to any workstation.

    `layers` holds only the layers the person has switched ({"registered": true, "hits": false}); any other layer
    shows as its default (maps/layers.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="map_layer_preferences")
    map_name = models.CharField(max_length=20)
    layers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "map_name"], name="maps_layer_preference_one_per_map")]

    def __str__(self):
        return f"{self.user} on the {self.map_name} map"
