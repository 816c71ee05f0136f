"""REST API for external plate cameras: push reads with the device's own token."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras.auth import DeviceTokenAuthentication
from cameras.services import camera_record_device_contact
from rtcc.parsers import StrictJSONParser, json_loads_strict
from rtcc.permissions import IsDevice

from . import ingest
from .services import plate_reads_ingest

IngestResult = inline_serializer(
    "IngestResult",
    {
        "format": serializers.CharField(),
        "created": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "read_ids": serializers.ListField(child=serializers.IntegerField()),
        "rejected": serializers.ListField(child=serializers.DictField()),
    },
)

RTCC_EXAMPLE = {
    "reads": [
        {
            "id": "unit7-000123",
            "plate": "ABC1234",
            "read_at": "2026-11-25T21:14:03.120-06:00",
            "confidence": 0.93,
            "region": "LA",
            "region_confidence": 0.97,
            "alternatives": [["ABC1Z34", 0.18]],
            "crop_jpeg": "<base64 JPEG, optional>",
        }
    ]
}


class PlateReadIngestView(APIView):
    """Push plate reads for this device's camera. Repeated deliveries are recognised by their ids.

    Accepts our own JSON, OpenALPR/Rekor agent webhooks (`alpr_group`, `alpr_results`) and Plate Recognizer
    webhooks, one read or up to 1,000 per request. Valid reads are stored even when others in the same
    request are rejected; each rejected read is listed with its reason.
    """

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsDevice]
    parser_classes = [StrictJSONParser]  # JSON only; the body is read whatever Content-Type a device declares

    @extend_schema(
        request=inline_serializer("PlateReadPush", {"reads": serializers.ListField(child=serializers.DictField())}),
        responses={
            201: IngestResult,
            200: IngestResult,
            400: OpenApiResponse(description="Malformed payload, or every read rejected"),
            401: OpenApiResponse(description="Missing, unknown or revoked device key"),
            403: OpenApiResponse(description="The key belongs to another camera"),
        },
        examples=[OpenApiExample("rtcc JSON", value=RTCC_EXAMPLE, request_only=True)],
    )
    def post(self, request, camera_id):
        token = request.auth
        if token.camera_id != camera_id:
            raise PermissionDenied(f"This device key may only post reads for camera {token.camera_id}.")
        payload = json_loads_strict(request.body or b"")
        try:
            name, items = ingest.parse(payload)
        except ingest.PayloadError as exc:
            raise ParseError(str(exc)) from None
        reads = [item for _, item in items if isinstance(item, ingest.IncomingRead)]
        rejected = [{"index": n, "error": item} for n, item in items if isinstance(item, str)]
        if rejected and not reads:
            return Response({"format": name, "detail": "Every read was rejected.", "rejected": rejected}, status=400)
        created, duplicates = plate_reads_ingest(camera_id=camera_id, reads=reads)
        camera_record_device_contact(camera_id=camera_id)
        body = {
            "format": name,
            "created": len(created),
            "duplicates": duplicates,
            "read_ids": created,
            "rejected": rejected,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
