from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    FIRE = "fire", "Fire"
    EMS = "ems", "EMS"
    EMERGENCY_MANAGEMENT = "emergency_management", "Emergency preparedness"
    OTHER = "other", "Other"


class IncidentStatus(models.TextChoices):
    NEW = "new", "New"
    DISPATCHED = "dispatched", "Dispatched"
    ON_SCENE = "on_scene", "On scene"
    CLOSED = "closed", "Closed"


class IncidentPriority(models.IntegerChoices):
    P1 = 1, "P1 – life threatening"
    P2 = 2, "P2 – urgent"
    P3 = 3, "P3 – prompt"
    P4 = 4, "P4 – routine"


class IncidentSource(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    CAD = "cad", "Computer-aided dispatch (911)"
    GUNSHOT = "gunshot", "Gunshot detection"
    HIT = "hit", "Plate hit"
    CAMERA = "camera", "Camera event"


class TimelineKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS = "status", "Status changed"
    NOTE = "note", "Note"
    ATTACHMENT = "attachment", "Attachment"
    DISPATCH = "dispatch", "Dispatched"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ESCALATED = "escalated", "Escalated"
    UPDATE = "update", "Updated"


class CapCategory(models.TextChoices):
    """CAP 1.2 info/category values."""

    GEO = "Geo", "Geophysical"
    MET = "Met", "Meteorological"
    SAFETY = "Safety", "General emergency and public safety"
    SECURITY = "Security", "Law enforcement, military, security"
    RESCUE = "Rescue", "Rescue and recovery"
    FIRE = "Fire", "Fire suppression and rescue"
    HEALTH = "Health", "Medical and public health"
    ENV = "Env", "Pollution and other environmental"
    TRANSPORT = "Transport", "Public and private transportation"
    INFRA = "Infra", "Utility, telecommunication, other infrastructure"
    CBRNE = "CBRNE", "Chemical, biological, radiological, nuclear, explosive"
    OTHER = "Other", "Other events"


class IntakeKind(models.TextChoices):
    """What an intake source sends: a 911 CAD event or a gunshot-detection alert."""

    CAD = "cad", "Computer-aided dispatch (911)"
    GUNSHOT = "gunshot", "Gunshot detection"


class DeliveryChannel(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "E-mail"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


DELIVERY_STATUS_COLOURS = {
    DeliveryStatus.PENDING: "warn",
    DeliveryStatus.SENDING: "warn",
    DeliveryStatus.DELIVERED: "ok",
    DeliveryStatus.FAILED: "bad",
}

# CAP 1.2 urgency and severity for each priority (P1 is life threatening).
CAP_URGENCY = {1: "Immediate", 2: "Immediate", 3: "Expected", 4: "Future"}
CAP_SEVERITY = {1: "Extreme", 2: "Severe", 3: "Moderate", 4: "Minor"}

STATUS_COLOURS = {
    IncidentStatus.NEW: "bad",
    IncidentStatus.DISPATCHED: "warn",
    IncidentStatus.ON_SCENE: "ok",
    IncidentStatus.CLOSED: "off",
}

# Map markers and badges per priority: CSS palette names (app.css).
PRIORITY_COLOURS = {
    IncidentPriority.P1: "bad",
    IncidentPriority.P2: "warn",
    IncidentPriority.P3: "accent",
    IncidentPriority.P4: "unknown",
}
