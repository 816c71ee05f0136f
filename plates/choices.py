from django.db import models


class ReadSource(models.TextChoices):
    CAPTURE = "capture", "Our capture worker"
    INGEST = "ingest", "External plate camera"
    FOOTAGE = "footage", "Footage analysis"


class HotlistSource(models.TextChoices):
    NCIC = "ncic", "NCIC / state"
    LOCAL_BOLO = "local_bolo", "Local BOLO"
    AMBER = "amber", "AMBER alert"
    CUSTOM = "custom", "Custom"


class HotlistVisibility(models.TextChoices):
    ALL_ANALYSTS = "all_analysts", "All analysts"
    OWNER_ONLY = "owner_only", "Owner and supervisors only"


class Priority(models.IntegerChoices):
    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class MatchKind(models.TextChoices):
    EXACT = "exact", "Exact"
    LOOKALIKE = "lookalike", "Look-alike characters"
    WILDCARD = "wildcard", "Wildcard"


class HitStatus(models.TextChoices):
    NEW = "new", "New"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
