"""REST API for the registry: approved registered cameras, never their owners' personal data.

`?near=<lat>,<lon>&radius_m=<m>&at=<ISO time>` returns the cameras near a
point ranked as the staff search ranks them (facing, distance, retention).
"""

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from rtcc.roles import Capability

from .choices import SiteStatus
from .models import RegisteredCamera
from .selectors import registered_cameras_near


class RegisteredCameraSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="site.address", read_only=True)
    live_camera = serializers.PrimaryKeyRelatedField(
        source="camera", read_only=True, allow_null=True, help_text="The city camera showing its live feed, if any."
    )
    # Only a `near` search ranks cameras; otherwise these are null (always present, so clients need no key checks).
    distance_m = serializers.FloatField(read_only=True, allow_null=True)
    faces_target = serializers.BooleanField(read_only=True, allow_null=True)
    footage_may_exist = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = RegisteredCamera
        fields = [
            "id",
            "site",
            "address",
            "placement",
            "latitude",
            "longitude",
            "bearing",
            "field_of_view",
            "covers",
            "retention_days",
            "shares_live_feed",
            "live_camera",
            "distance_m",
            "faces_target",
            "footage_may_exist",
        ]


class RegisteredCameraViewSet(viewsets.ReadOnlyModelViewSet):
    """Cameras of approved registrations. Owners' names, e-mails, phones and stream addresses are never returned."""

    queryset = RegisteredCamera.objects.filter(site__status=SiteStatus.APPROVED).select_related("site", "camera")
    serializer_class = RegisteredCameraSerializer
    required_capability = Capability.VIEW_REGISTRY

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "near",
                str,
                pattern=r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$",
                description="`<latitude>,<longitude>`: rank the cameras near this point (nearest, facing it first).",
            ),
            OpenApiParameter("radius_m", float, description="With `near`: how far to look, up to 20000 m."),
            OpenApiParameter("at", str, description="With `near`: when it happened (ISO 8601), for retention."),
        ]
    )
    def list(self, request, *args, **kwargs):
        near = request.query_params.get("near")
        if not near:
            return super().list(request, *args, **kwargs)
        try:
            lat, lon = (float(part) for part in near.split(","))
            radius = float(request.query_params.get("radius_m", settings.RTCC_REGISTRY_SEARCH_RADIUS_M))
        except ValueError:
            raise ValidationError({"near": "Give near=<latitude>,<longitude> and a numeric radius_m."}) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < radius <= 20_000):
            raise ValidationError({"near": "Latitude -90..90, longitude -180..180, radius_m up to 20000."})
        at = request.query_params.get("at")
        try:
            at = parse_datetime(at) if at else None
        except ValueError:  # well formed but not a real date, e.g. month 13
            at = None
        if request.query_params.get("at") and at is None:
            raise ValidationError({"at": "Give an ISO 8601 time, e.g. 2026-11-25T14:30:00-06:00."})
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)  # a time without an offset is the city's local time
        ranked = registered_cameras_near(lat, lon, radius, at=at)
        page = self.paginate_queryset(ranked)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
