"""REST API for agencies and incidents."""

from rest_framework import serializers, viewsets

from rtcc.roles import Capability

from .models import Agency, Incident


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
