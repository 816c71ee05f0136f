"""The REST API's routes: one router line per resource."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from cameras.api import CameraViewSet, DeviceIdentityView
from incidents.api import AgencyViewSet, IncidentViewSet
from plates.api import PlateReadIngestView

from .api import EventsAfterView


class ApiRoot(APIRootView):
    """The API's home: links to every resource. Each resource checks the caller's role."""

    permission_classes = [IsAuthenticated]


class Router(DefaultRouter):
    APIRootView = ApiRoot


router = Router()
router.register("cameras", CameraViewSet)
router.register("agencies", AgencyViewSet)
router.register("incidents", IncidentViewSet)

urlpatterns = [
    path("events/", EventsAfterView.as_view(), name="events-after"),
    path("device/identity/", DeviceIdentityView.as_view(), name="device-identity"),
    path("cameras/<int:camera_id>/reads/", PlateReadIngestView.as_view(), name="plate-read-ingest"),
    path("", include(router.urls)),
]
