"""The alert queue: repeat hits folded into one alert, claiming an alert, and what the dashboard's queue shows.

A parked hotlisted car is read every few seconds; each read used to be a new hit, and a dozen a minute
buried everything else. A read of the same plate on the same hotlist entry within
`RTCC_HIT_REPEAT_WINDOW_SECONDS` of the alert's latest sighting now folds into that hit: its count goes up
and its latest sighting moves, pushed live as `hit.repeated`. An analyst claims an alert (one conditional
UPDATE, audited, pushed) so two people do not chase the same car. `hit_groups` is the one rule for who is told
about a hit (plates/services.py announces new hits and reviews to the same groups).

A hit marked *state mismatch* (the read's state confidently differs from the entry's: probably another car
with the same number) stays in its lane, below every hit whose state agrees or is unknown, and sounds no
critical alarm. A hit that came from one of the reader's alternative readings (critical lists) says so.
Repeats fold only into an alert of the same standing: the same text matched the entry, the same state
verdict, and a direct reading never folds into an alert raised on an alternative one (it is better evidence,
and gets its own alert).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rtcc import audit, realtime
from rtcc.roles import Role, staff_group, user_group

from .choices import HitStatus, HotlistVisibility, Priority
from .models import Hit, HotlistEntry
from .selectors import visible_hits

# The queue on a dashboard shows at most this many alerts per lane from the server; the rest are counted.
QUEUE_LIMIT = 200


class ClaimError(ValueError):
    """The alert cannot be claimed (the message says why, e.g. who has it)."""


def hit_fold_repeat(*, read, match) -> Hit | None:
    """Fold `read` into the open alert for the same plate on `match`'s entry, if one was seen within the window.

    Returns the alert it was folded into (the caller then makes no new hit), or None. The entry's row is
    locked first so two reads of one car arriving together fold into one alert instead of racing.
    """
    window = settings.RTCC_HIT_REPEAT_WINDOW_SECONDS
    if not window:
        return None
    since = read.read_at - timedelta(seconds=window)
    text = match.text(read.plate)
    same_text = Q(matched_alternative="", plate_read__plate=text)
    if match.alternative:
        same_text |= Q(matched_alternative=text)
    with transaction.atomic():
        HotlistEntry.objects.select_for_update().filter(pk=match.entry.pk).first()
        hit = (
            Hit.objects.select_for_update(of=("self",))
            .filter(same_text, entry_id=match.entry.pk, state_mismatch=match.state_mismatch)
            .filter(Q(last_seen_at__gte=since) | Q(last_seen_at__isnull=True, plate_read__read_at__gte=since))
            .exclude(plate_read_id=read.pk)
            .exclude(status=HitStatus.WITHDRAWN)  # a withdrawn early hit was not this plate: a new read stands alone
            .select_related("plate_read", "hotlist")
            .order_by("-id")
            .first()
        )
        if hit is None:
            return None
        latest = hit.last_seen_at or hit.plate_read.read_at
        fields = {"repeat_count": F("repeat_count") + 1}
        if read.read_at >= latest:
            fields.update(last_read_id=read.pk, last_seen_at=read.read_at)
        Hit.objects.filter(pk=hit.pk).update(**fields)
        hit.refresh_from_db()
        publish_hit(hit, "hit.repeated", f"{read.plate} seen again ({hit.repeat_count}×) on {hit.hotlist.name}")
    return hit


def hit_claim(*, hit: Hit, user, request=None) -> Hit:
    """`user` takes an unreviewed alert; anyone else trying gets a ClaimError naming who has it. Audited."""
    with transaction.atomic():
        taken = (
            Hit.objects.filter(pk=hit.pk, status=HitStatus.NEW)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))
            .update(claimed_by=user, claimed_at=timezone.now())
        )
        hit = Hit.objects.select_related("plate_read", "hotlist", "claimed_by").get(pk=hit.pk)
        if not taken:
            if hit.status != HitStatus.NEW:
                raise ClaimError(f"Already reviewed ({hit.get_status_display().lower()}).")
            raise ClaimError(f"{hit.claimed_by.get_username()} is already on it.")
        audit.record(
            actor=user, action="plates.hit.claimed", obj=hit, request=request, details={"plate": hit.plate_read.plate}
        )
        publish_hit(hit, "hit.claimed", f"{user.get_username()} is on {hit.plate_read.plate} ({hit.hotlist.name})")
    return hit


def hit_groups(hotlist) -> list[str]:
    """Who is told about a hit on this list: all analysts, or the owner and supervisors for a private list."""
    if hotlist.visibility == HotlistVisibility.OWNER_ONLY:
        return [staff_group(Role.SUPERVISOR)] + ([user_group(hotlist.owner_id)] if hotlist.owner_id else [])
    return [staff_group(Role.ANALYST)]


def is_critical(hit: Hit) -> bool:
    """Whether a hit goes out as critical (banner and tone): a critical or high list, and no state mismatch."""
    return hit.hotlist.priority <= Priority.HIGH and not hit.state_mismatch


def hit_notes(hit: Hit) -> dict:
    """The marks an analyst must see on a hit, as every screen and push carries them."""
    return {
        "state_mismatch": hit.state_mismatch,
        "state_note": hit.state_mismatch_label,
        "matched_alternative": hit.matched_alternative,
        "alternative_note": hit.alternative_label,
        "notes": hit.notes,
    }


def publish_hit(hit, kind, summary):
    """Push one alert's change (`hit.repeated`, `hit.claimed`, `hit.revised`) to whoever is told about the hit."""
    data = alert_data(hit)
    for group in hit_groups(hit.hotlist):
        realtime.publish(group=group, kind=kind, summary=summary, data=data)


def alert_data(hit: Hit) -> dict:
    """One alert as the queue script draws it (the same keys as a `hit.created` event, plus count and claim)."""
    read = hit.latest_read
    camera = read.camera
    entry = hit.entry
    try:
        incident_url = reverse("incidents:new") + f"?hit={hit.pk}"
    except NoReverseMatch:
        incident_url = ""
    return {
        "hit_id": hit.pk,
        "plate": hit.plate_read.plate,
        "matched_plate": hit.matched_plate,
        "match_kind": hit.match_kind,
        "hotlist": hit.hotlist.name,
        "priority": hit.hotlist.priority,
        "priority_label": hit.hotlist.get_priority_display(),
        "reason": entry.reason if entry else "",
        "vehicle": entry.vehicle_description if entry else "",
        "camera_id": camera.pk,
        "camera": camera.name,
        "lat": float(camera.latitude),
        "lon": float(camera.longitude),
        "read_at": hit.latest_seen_at.isoformat(),
        "first_read_at": hit.plate_read.read_at.isoformat(),
        "count": hit.repeat_count,
        "crop_url": reverse("plates:crop", args=[read.pk]) if read.crop else "",
        "incident_url": incident_url,
        "claimed_by": hit.claimed_by.get_username() if hit.claimed_by_id else "",
        "status": hit.status,
        **hit_notes(hit),
    }


def alert_queue(user) -> dict:
    """The unreviewed alerts this person may see, by lane: critical (critical and high lists) and the rest.

    In each lane, state mismatches come after every other alert (each part newest first).
    """
    unreviewed = (
        visible_hits(user)
        .filter(status=HitStatus.NEW)
        .select_related("last_read__camera", "claimed_by")
        .order_by("state_mismatch", "-created_at", "-id")
    )
    critical = Q(hotlist__priority__lte=Priority.HIGH)
    lanes = {}
    for name, rows in (("critical", unreviewed.filter(critical)), ("hits", unreviewed.exclude(critical))):
        alerts = list(rows[:QUEUE_LIMIT])
        more = rows.count() - len(alerts) if len(alerts) == QUEUE_LIMIT else 0
        lanes[name] = {"alerts": [alert_data(hit) for hit in alerts], "more": more}
    return lanes
