"""An analyst's review of a hit: confirm or dismiss it (with a reason), then record what happened. Audited, pushed."""

from django.db import transaction
from django.utils import timezone

from rtcc import audit, realtime

from . import alerts
from .choices import DismissReason, HitOutcome, HitStatus
from .models import Hit


class HitReviewError(ValueError):
    """A review that cannot be recorded as asked (the message says why)."""


def hit_review(*, hit: Hit, user, status: str, reason: str = "", note: str = "", request=None) -> Hit:
    """An analyst confirms (checked the plate against the picture) or dismisses a hit, with a reason.

    Dismissing needs one of `DismissReason`. The review is audited and pushed to the other analysts'
    screens, so two people do not work the same hit.
    """
    if status not in (HitStatus.CONFIRMED, HitStatus.DISMISSED):
        raise HitReviewError("Choose confirm or dismiss.")
    if status == HitStatus.DISMISSED and reason not in DismissReason.values:
        raise HitReviewError("Say why the hit is dismissed: misread, wrong state, not the vehicle, cleared or other.")
    if status == HitStatus.DISMISSED and reason == DismissReason.OTHER and not note.strip():
        raise HitReviewError("Dismissing for another reason needs a note saying what it was.")
    with transaction.atomic():
        hit = Hit.objects.select_for_update().select_related("plate_read", "hotlist").get(pk=hit.pk)
        if hit.status == HitStatus.WITHDRAWN:
            raise HitReviewError(f"This hit was withdrawn: {hit.withdrawn_reason}")
        hit.status = status
        hit.dismiss_reason = reason if status == HitStatus.DISMISSED else ""
        hit.review_note = note.strip()[:500]
        hit.reviewed_by = user
        hit.reviewed_at = timezone.now()
        if status == HitStatus.DISMISSED:
            hit.outcome, hit.outcome_note, hit.outcome_by, hit.outcome_at = "", "", None, None
        hit.save()
        audit.record(
            actor=user,
            action=f"plates.hit.{status}",
            obj=hit,
            reason=hit.get_dismiss_reason_display() if hit.dismiss_reason else hit.review_note,
            request=request,
            details={"plate": hit.plate_read.plate, "note": hit.review_note, "dismiss_reason": hit.dismiss_reason},
        )
        _announce_review(hit, user)
    return hit


def hit_record_outcome(*, hit: Hit, user, outcome: str, note: str = "", request=None) -> Hit:
    """What happened after a confirmed hit (located, stopped, arrest, not located ...). Audited."""
    if outcome not in HitOutcome.values:
        raise HitReviewError("Choose an outcome.")
    if outcome == HitOutcome.OTHER and not note.strip():
        raise HitReviewError("An outcome of 'other' needs a note saying what happened.")
    with transaction.atomic():
        hit = Hit.objects.select_for_update().select_related("plate_read", "hotlist").get(pk=hit.pk)
        if hit.status != HitStatus.CONFIRMED:
            raise HitReviewError("Only a confirmed hit has an outcome: confirm it first.")
        hit.outcome, hit.outcome_note = outcome, note.strip()[:500]
        hit.outcome_by, hit.outcome_at = user, timezone.now()
        hit.save(update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at"])
        audit.record(
            actor=user,
            action="plates.hit.outcome",
            obj=hit,
            reason=hit.outcome_note,
            request=request,
            details={"plate": hit.plate_read.plate, "outcome": outcome},
        )
        _announce_review(hit, user)
    return hit


def _announce_review(hit, user):
    data = {
        "hit_id": hit.pk,
        "status": hit.status,
        "status_label": hit.get_status_display(),
        "dismiss_reason": hit.get_dismiss_reason_display() if hit.dismiss_reason else "",
        "outcome": hit.get_outcome_display() if hit.outcome else "",
        "by": user.get_username(),
    }
    verb = {"confirmed": "confirmed", "dismissed": "dismissed"}.get(hit.status, hit.status)
    summary = f"Hit {hit.plate_read.plate} {verb} by {user.get_username()}"
    if hit.outcome:
        summary = f"Hit {hit.plate_read.plate}: {hit.get_outcome_display()} ({user.get_username()})"
    for group in alerts.hit_groups(hit.hotlist):
        realtime.publish(group=group, kind="hit.reviewed", summary=summary, data=data)
