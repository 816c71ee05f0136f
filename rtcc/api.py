"""REST API for the realtime spine: events a client missed."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import realtime
from .models import Event
from .roles import Capability, realtime_groups

_EVENT_ID = re.compile(r"-?[0-9]{1,17}")


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "group", "kind", "summary", "severity", "data", "created_at"]


class EventsAfterView(APIView):
    """Events for the caller's groups after a given id: the REST twin of the websocket catch-up."""

    required_capability = Capability.VIEW_DASHBOARD

    def get_permissions(self):
        return [_EventReader()]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": -(10**17), "maximum": 10**17},
                required=True,
                description="The last event id the client saw.",
            )
        ],
        responses=EventSerializer(many=True),
    )
    def get(self, request):
        raw = request.query_params.get("after", "").strip()
        # Checked as text: an id of hundreds of digits would reach the database as an out-of-range number.
        if not _EVENT_ID.fullmatch(raw):
            raise ValidationError({"after": "An integer event id is required."})
        after = int(raw)
        events = realtime.events_after(realtime_groups(request.user), after)
        return Response(EventSerializer(events, many=True).data)


class _EventReader:
    """Anyone with a realtime group (staff or responders) may read their own groups' events."""

    message = "Your role receives no events."

    def has_permission(self, request, view):
        return bool(realtime_groups(request.user))

    def has_object_permission(self, request, view, obj):
        return True
