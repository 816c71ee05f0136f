"""REST API for the realtime spine: events a client missed."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import realtime
from .models import Event
from .roles import Capability, realtime_groups


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
        parameters=[OpenApiParameter("after", int, required=True, description="The last event id the client saw.")],
        responses=EventSerializer(many=True),
    )
    def get(self, request):
        try:
            after = int(request.query_params.get("after", ""))
        except ValueError:
            raise ValidationError({"after": "An integer event id is required."}) from None
        events = realtime.events_after(realtime_groups(request.user), after)
        return Response(EventSerializer(events, many=True).data)


class _EventReader:
    """Anyone with a realtime group (staff or responders) may read their own groups' events."""

    message = "Your role receives no events."

    def has_permission(self, request, view):
        return bool(realtime_groups(request.user))

    def has_object_permission(self, request, view, obj):
        return True
