"""The REST API's routes: one router line per resource."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter

from cameras.api import CameraViewSet, DeviceIdentityView
from incidents.api import AgencyViewSet, CadIntakeView, GunshotIntakeView, IncidentViewSet
from plates.api import PlateReadIngestView
from registry.api import RegisteredCameraViewSet

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
router.register("registered-cameras", RegisteredCameraViewSet)

urlpatterns = [
    path("events/", EventsAfterView.as_view(), name="events-after"),
    path("device/identity/", DeviceIdentityView.as_view(), name="device-identity"),
    path("cameras/<int:camera_id>/reads/", PlateReadIngestView.as_view(), name="plate-read-ingest"),
    path("intake/cad/", CadIntakeView.as_view(), name="intake-cad"),
    path("intake/gunshot/", GunshotIntakeView.as_view(), name="intake-gunshot"),
    path("", include(router.urls)),
]
