"""REST API for cameras (staff) and for devices identifying themselves."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from rtcc.permissions import IsDevice
from rtcc.roles import Capability

from .auth import DeviceTokenAuthentication
from .models import Camera


class CameraSerializer(serializers.ModelSerializer):
    stream_url = serializers.CharField(source="safe_stream_url", read_only=True)

    class Meta:
        model = Camera
        fields = [
            "id",
            "name",
            "kind",
            "latitude",
            "longitude",
            "address",
            "bearing",
            "field_of_view",
            "stream_url",
            "enabled",
            "plate_reading",
            "status",
            "status_reason",
            "status_changed_at",
            "last_frame_at",
            "measured_fps",
        ]


class CameraViewSet(viewsets.ReadOnlyModelViewSet):
    """Cameras with their health. Stream credentials are never returned."""

    queryset = Camera.objects.all()
    serializer_class = CameraSerializer
    required_capability = Capability.VIEW_CAMERAS


class DeviceIdentitySerializer(serializers.Serializer):
    camera_id = serializers.IntegerField()
    camera_name = serializers.CharField()
    token_label = serializers.CharField()


class DeviceIdentityView(APIView):
    """Which camera this device token belongs to: a device's first call, to check its configuration."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsDevice]

    @extend_schema(responses=DeviceIdentitySerializer)
    def get(self, request):
        token = request.auth
        return Response({"camera_id": token.camera_id, "camera_name": token.camera.name, "token_label": token.label})
