"""REST API for agencies and incidents, and the intake endpoints other systems post events to."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from rtcc.parsers import StrictJSONParser
from rtcc.roles import Capability

from . import services
from .auth import IntakeKeyAuthentication, IsIntakeSource
from .choices import IntakeKind
from .models import Agency, Incident


class IntakeKeyScheme(OpenApiAuthenticationExtension):
    target_class = "incidents.auth.IntakeKeyAuthentication"
    name = "IntakeKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Intake <key>`: a key issued to a CAD or gunshot-detection source in admin.",
        }


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "short_name", "kind", "active"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Agency.objects.filter(active=True)
    serializer_class = AgencySerializer
    required_capability = Capability.VIEW_INCIDENTS


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    incident_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "incident_type",
            "title",
            "priority",
            "status",
            "latitude",
            "longitude",
            "address",
            "cad_number",
            "source",
            "created_at",
            "updated_at",
        ]


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Incident.objects.select_related("incident_type")
    serializer_class = IncidentSerializer
    required_capability = Capability.VIEW_INCIDENTS


# --- Intake: other systems open and update incidents ---------------------------


class _IntakeEventSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The source's own id for this event: repeats update it.")
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, coerce_to_string=False)
    lon = serializers.DecimalField(
        max_digits=10, decimal_places=6, min_value=-180, max_value=180, coerce_to_string=False
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    time = serializers.DateTimeField(required=False, help_text="When it happened (ISO 8601).")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            # Tolerate more decimals than we store rather than refuse a real alert over precision.
            data = {k: (round(v, 6) if k in ("lat", "lon") and isinstance(v, float) else v) for k, v in data.items()}
        return super().to_internal_value(data)


class CadEventSerializer(_IntakeEventSerializer):
    """A computer-aided dispatch (911) event."""

    # The id doubles as the incident's CAD number when none is sent, so it must fit that field.
    id = serializers.CharField(max_length=64, help_text="The CAD's own id for this event: repeats update it.")
    type = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default="", help_text="An incident type's slug or name."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cad_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    status = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="'closed' or 'cleared' closes it."
    )


class GunshotAlertSerializer(_IntakeEventSerializer):
    """A gunshot-detection alert (ShotSpotter-style)."""

    type = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="e.g. single_gunshot, multiple_gunshots"
    )
    rounds = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class IntakeCameraSerializer(serializers.Serializer):
    camera_id = serializers.IntegerField()
    name = serializers.CharField()
    distance_m = serializers.FloatField(allow_null=True)
    faces_target = serializers.BooleanField(allow_null=True)


class IntakeResultSerializer(serializers.Serializer):
    incident_id = serializers.IntegerField()
    reference = serializers.CharField()
    created = serializers.BooleanField(help_text="False when this event's id was seen before and the incident updated.")
    status = serializers.CharField()
    cameras = IntakeCameraSerializer(many=True, help_text="Nearest city cameras attached to the incident.")


class _IntakeView(APIView):
    authentication_classes = [IntakeKeyAuthentication]
    permission_classes = [IsIntakeSource]
    parser_classes = [StrictJSONParser]
    serializer_class = None
    intake_kind = None

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated("An intake key is required: send 'Authorization: Intake <key>'.")
        super().permission_denied(request, message=message, code=code)

    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send one JSON object."]})
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident, created = services.intake_record(source=request.auth, event=serializer.validated_data)
        cameras = [
            {
                "camera_id": e.camera_id,
                "name": e.camera.name,
                "distance_m": e.data.get("distance_m"),
                "faces_target": e.data.get("faces_target"),
            }
            for e in incident.timeline.filter(camera__isnull=False, data__has_key="distance_m").select_related("camera")
        ]
        result = {
            "incident_id": incident.pk,
            "reference": incident.reference,
            "created": created,
            "status": incident.status,
            "cameras": cameras,
        }
        return Response(result, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


_INTAKE_ERRORS = {
    400: OpenApiResponse(description="Malformed event: each invalid field with its reason."),
    401: OpenApiResponse(description="No or unknown intake key."),
    403: OpenApiResponse(description="The key belongs to another kind of source."),
}


class CadIntakeView(_IntakeView):
    """Open or update an incident from a 911 CAD event. Idempotent by the event's `id`."""

    serializer_class = CadEventSerializer
    intake_kind = IntakeKind.CAD

    @extend_schema(
        request=CadEventSerializer,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer, **_INTAKE_ERRORS},
        tags=["intake"],
    )
    def post(self, request):
        return super().post(request)


class GunshotIntakeView(_IntakeView):
    """Open or update a shots-fired incident from a gunshot-detection alert, with its nearest cameras attached."""

    serializer_class = GunshotAlertSerializer
    intake_kind = IntakeKind.GUNSHOT

    @extend_schema(
        request=GunshotAlertSerializer,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer, **_INTAKE_ERRORS},
        tags=["intake"],
    )
    def post(self, request):
        return super().post(request)
