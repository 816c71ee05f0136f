"""Shared field helpers for places on the map."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def latitude_field(**kwargs):
    return models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)], **kwargs
    )


def longitude_field(**kwargs):
    return models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)], **kwargs
    )


def coordinate_constraints(prefix, lat="latitude", lon="longitude"):
    """Database checks that a row's coordinates lie on Earth."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{lat}__gte": -90, f"{lat}__lte": 90}), name=f"{prefix}_latitude_valid"
        ),
        models.CheckConstraint(
            condition=models.Q(**{f"{lon}__gte": -180, f"{lon}__lte": 180}), name=f"{prefix}_longitude_valid"
        ),
    ]


def bearing_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=models.Q(bearing__isnull=True) | models.Q(bearing__gte=0, bearing__lt=360),
            name=f"{prefix}_bearing_valid",
        ),
        models.CheckConstraint(
            condition=models.Q(field_of_view__isnull=True) | models.Q(field_of_view__gt=0, field_of_view__lte=360),
            name=f"{prefix}_field_of_view_valid",
        ),
    ]
