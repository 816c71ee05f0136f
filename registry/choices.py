from django.db import models


class SiteStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for e-mail confirmation"
    PENDING_REVIEW = "pending_review", "Waiting for staff review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Coverage(models.TextChoices):
    STREET = "street", "Street"
    SIDEWALK = "sidewalk", "Sidewalk"
    PARKING = "parking", "Parking"
    ALLEY = "alley", "Alley"


class FootageRequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened by the owner"
    UPLOADED = "uploaded", "Footage uploaded"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
