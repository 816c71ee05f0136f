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


# Lists of this priority (Critical: AMBER alerts, armed and dangerous) also match a read's strong alternative
# readings (plates.services.hotlist_matches): a missed AMBER car costs more than an analyst checking a crop.
ALTERNATIVE_READING_PRIORITY = Priority.CRITICAL


class MatchKind(models.TextChoices):
    EXACT = "exact", "Exact"
    LOOKALIKE = "lookalike", "Look-alike characters"
    WILDCARD = "wildcard", "Wildcard"


class HitStatus(models.TextChoices):
    NEW = "new", "New"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
    # Raised early on a live track whose final vote then read a plate the entry does not match.
    WITHDRAWN = "withdrawn", "Withdrawn"


class DismissReason(models.TextChoices):
    MISREAD = "misread", "Misread: the plate in the picture is different"
    WRONG_STATE = "wrong_state", "Wrong state or country"
    NOT_THE_VEHICLE = "not_the_vehicle", "Not the vehicle described"
    ENTRY_CLEARED = "entry_cleared", "Entry no longer valid (recovered, cleared)"
    OTHER = "other", "Other (say why in the note)"


class HitOutcome(models.TextChoices):
    LOCATED = "located", "Vehicle located"
    STOPPED = "stopped", "Vehicle stopped"
    ARREST = "arrest", "Arrest made"
    RECOVERED = "recovered", "Vehicle recovered"
    PERSON_FOUND = "person_found", "Missing person found"
    NOT_LOCATED = "not_located", "Not located"
    OTHER = "other", "Other (see note)"
