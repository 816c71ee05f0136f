from django.db import models


class CameraKind(models.TextChoices):
    CITY = "city", "City camera"
    REGISTERED_PRIVATE = "registered_private", "Registered private camera"
    PLATE_READER = "plate_reader", "Plate reader"


class CameraStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not yet read"
    ONLINE = "online", "Online"
    DEGRADED = "degraded", "Degraded"
    OFFLINE = "offline", "Offline"
    DISABLED = "disabled", "Disabled"


STATUS_COLOURS = {
    CameraStatus.UNKNOWN: "#8a94a6",
    CameraStatus.ONLINE: "#2fbf71",
    CameraStatus.DEGRADED: "#f2b233",
    CameraStatus.OFFLINE: "#e5484d",
    CameraStatus.DISABLED: "#5b6473",
}
