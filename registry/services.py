"""Registry workflows: registration, confirmation, review, live-feed sharing, reminders, footage requests.

Views, tasks and the admin call these; each is one transaction, and e-mails
leave only after it commits (a rolled-back registration sends nothing).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cameras.choices import CameraKind, CameraStatus
from cameras.models import Camera
from cameras.services import camera_set_status
from footage.choices import ClipSource, CustodyAction
from footage.library import store_clip
from rtcc import audit, realtime
from rtcc.netguard import OutboundAddressRefused
from rtcc.roles import Role, staff_group

from . import links
from .choices import FootageRequestStatus, SiteStatus
from .forms import TERMS_VERSION
from .models import Consent, FootageRequest, RegisteredCamera, RegisteredSite
from .validation import stream_address_check

log = logging.getLogger(__name__)

SITE_FIELDS = ("owner_name", "business_name", "email", "phone", "address", "latitude", "longitude")
CAMERA_FIELDS = ("placement", "bearing", "field_of_view", "covers", "retention_days", "shares_live_feed", "stream_url")
# An approved site whose owner changes these goes back to staff review before its live feeds are read again.
REVIEWED_SITE_FIELDS = ("address", "latitude", "longitude")


class FootageRequestClosed(Exception):
    """The owner can no longer answer this request (expired, declined, withdrawn)."""


def send_owner_mail(template: str, to: str, context: dict):
    """Render templates/registry/email/<template>.txt (first line is the subject) and send it after commit."""
    text = render_to_string(f"registry/email/{template}.txt", {"city_name": settings.RTCC_CITY_NAME, **context})
    subject, _, body = text.strip().partition("\n")

    def deliver():
        try:
            send_mail(subject.strip(), body.strip() + "\n", settings.RTCC_REGISTRY_FROM_EMAIL, [to])
        except Exception:
            log.exception("could not send the registry e-mail %r", template)

    transaction.on_commit(deliver)


# --- Registration --------------------------------------------------------------------------


def _camera_values(site, data):
    values = {name: data.get(name) for name in CAMERA_FIELDS}
    values["covers"] = list(values["covers"] or [])
    values["shares_live_feed"] = bool(values["shares_live_feed"])
    values["stream_url"] = values["stream_url"] or ""
    return {**values, "latitude": site.latitude, "longitude": site.longitude}


def _or_blank(value):
    return "" if value is None else value


@transaction.atomic
def registration_submit(*, site_data: dict, cameras_data: list[dict], client_address=None) -> RegisteredSite:
    """Store a new registration, unconfirmed and invisible to staff, and e-mail the confirmation link."""
    # A coordinate of 0 (the equator, the prime meridian) is a value, not a blank.
    site = RegisteredSite.objects.create(**{name: _or_blank(site_data.get(name)) for name in SITE_FIELDS})
    for data in cameras_data:
        RegisteredCamera.objects.create(site=site, **_camera_values(site, data))
    Consent.objects.create(
        site=site,
        terms_version=TERMS_VERSION,
        client_address=client_address,
        shares_live_feed=any(c.get("shares_live_feed") for c in cameras_data),
    )
    send_owner_mail(
        "confirm",
        site.email,
        {
            "site": site,
            "confirm_url": links.confirm_url(site),
            "manage_url": links.manage_url(site),
            "hours": settings.RTCC_REGISTRY_CONFIRM_HOURS,
        },
    )
    return site


@transaction.atomic
def registration_confirm(*, site: RegisteredSite) -> bool:
    """The owner followed the e-mailed link: the registration goes to staff review. False if already confirmed."""
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    if site.status != SiteStatus.UNCONFIRMED:
        return False
    now = timezone.now()
    site.status = SiteStatus.PENDING_REVIEW
    site.confirmed_at = now
    site.last_verified_at = now
    site.save(update_fields=["status", "confirmed_at", "last_verified_at", "updated_at"])
    realtime.publish(
        group=staff_group(Role.ANALYST),
        kind="registry.pending",
        summary=f"New camera registration to review: {site.cameras.count()} camera(s)",
        data={"site_id": site.pk},
    )
    return True


def _differs(site, data, names) -> bool:
    for name in names:
        old, new = getattr(site, name), data.get(name)
        if name in ("latitude", "longitude"):
            if new is None or abs(float(old) - float(new)) > 5e-7:
                return True
        elif (old or "") != (new or ""):
            return True
    return False


@transaction.atomic
def registration_update(*, site: RegisteredSite, site_data: dict, cameras_data: list[dict]) -> bool:
    """Apply the owner's edits. Returns True when an approved site went back to staff review.

    `cameras_data` holds every camera the owner kept or added; a camera left
    out is removed. A `camera_id` that is not one of this site's cameras is
    treated as a new camera, so a tampered form cannot touch another site.
    """
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    changed_reviewed = _differs(site, site_data, REVIEWED_SITE_FIELDS)
    for name in SITE_FIELDS:
        setattr(site, name, _or_blank(site_data.get(name)))
    existing = {cam.pk: cam for cam in site.cameras.select_related("camera")}
    kept = set()
    for data in cameras_data:
        values = _camera_values(site, data)
        cam = existing.get(data.get("camera_id"))
        if cam is None:
            cam = RegisteredCamera.objects.create(site=site, **values)
        else:
            for name, value in values.items():
                setattr(cam, name, value)
            cam.save()
        # Whatever order the edits came in (untick, change the address, tick again), a shared address staff have
        # not approved sends the site back to review, and live_feeds_sync reads only approved addresses.
        changed_reviewed = changed_reviewed or cam.awaits_stream_review
        kept.add(cam.pk)
    for pk, cam in existing.items():
        if pk not in kept:
            _retire_live_camera(cam, "The owner removed this camera from the registry")
            cam.delete()
    # A rejected owner who corrects the details asks for another look.
    back_to_review = (site.status == SiteStatus.APPROVED and changed_reviewed) or site.status == SiteStatus.REJECTED
    if back_to_review:
        site.status = SiteStatus.PENDING_REVIEW
        site.reviewed_at = None
        site.reviewed_by = None
    site.last_verified_at = timezone.now()
    site.save()
    sharing = any(c.get("shares_live_feed") for c in cameras_data)
    latest = site.consents.first()
    if latest is None or latest.shares_live_feed != sharing:
        Consent.objects.create(site=site, terms_version=TERMS_VERSION, shares_live_feed=sharing)
    live_feeds_sync(site=site)
    if back_to_review:
        realtime.publish(
            group=staff_group(Role.ANALYST),
            kind="registry.pending",
            summary="A registration was changed by its owner and needs review again",
            data={"site_id": site.pk},
        )
    return back_to_review


@transaction.atomic
def registration_verify(*, site: RegisteredSite):
    """The owner says the details are still true (the yearly check)."""
    RegisteredSite.objects.filter(pk=site.pk).update(
        last_verified_at=timezone.now(), reminder_sent_at=None, updated_at=timezone.now()
    )


@transaction.atomic
def registration_delete(*, site: RegisteredSite, client_address=None):
    """Delete the registration and everything in it. Clips already handed over stay in the evidence library."""
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    for cam in site.cameras.select_related("camera"):
        _retire_live_camera(cam, "The owner deleted the registration", delete=True)
    site_id = site.pk
    site.delete()
    audit.record(
        actor=None,
        action="registry.deleted_by_owner",
        object_type="registry.registeredsite",
        object_id=site_id,
        details={"client_address": client_address or ""},
    )


@transaction.atomic
def registration_replace_links(*, site: RegisteredSite):
    """Revoke every link sent so far and e-mail a fresh manage link."""
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    site.rotate_link_nonce()
    site.save(update_fields=["link_nonce", "updated_at"])
    send_owner_mail("new_link", site.email, {"site": site, "manage_url": links.manage_url(site)})
    return site


@transaction.atomic
def registration_approve(*, site: RegisteredSite, reviewer, request=None):
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    if site.status not in (SiteStatus.PENDING_REVIEW, SiteStatus.REJECTED):
        raise ValueError("Only a confirmed registration waiting for review can be approved.")
    cameras = list(site.cameras.all())
    for reg in cameras:
        if reg.shares_live_feed and reg.stream_url:
            try:
                stream_address_check(reg.stream_url)
            except OutboundAddressRefused as exc:
                raise ValueError(f"{reg.placement}: {exc} Ask the owner for another address, or reject.") from None
    site.status = SiteStatus.APPROVED
    site.reviewed_by = reviewer
    site.reviewed_at = timezone.now()
    site.rejection_reason = ""
    site.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"])
    for reg in cameras:
        reg.reviewed_stream_url = reg.stream_url if reg.shares_live_feed else ""
        reg.save(update_fields=["reviewed_stream_url"])
    live_feeds_sync(site=site)
    audit.record(actor=reviewer, action="registry.approved", obj=site, request=request)
    send_owner_mail("approved", site.email, {"site": site, "manage_url": links.manage_url(site)})
    return site


@transaction.atomic
def registration_reject(*, site: RegisteredSite, reviewer, reason: str, request=None):
    site = RegisteredSite.objects.select_for_update().get(pk=site.pk)
    if site.status == SiteStatus.UNCONFIRMED:
        raise ValueError("An unconfirmed registration cannot be reviewed.")
    site.status = SiteStatus.REJECTED
    site.reviewed_by = reviewer
    site.reviewed_at = timezone.now()
    site.rejection_reason = reason
    site.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"])
    live_feeds_sync(site=site)
    audit.record(actor=reviewer, action="registry.rejected", obj=site, reason=reason, request=request)
    send_owner_mail("rejected", site.email, {"site": site, "reason": reason, "manage_url": links.manage_url(site)})
    return site


# --- Live feeds --------------------------------------------------------------------------


def live_feeds_sync(*, site: RegisteredSite):
    """Give each shared camera of an approved site a live Camera the capture workers read; switch off the rest.

    Only an address staff approved is read (`reviewed_stream_url`), and only while it points outside the
    center's own network (checked again here: what a name resolves to may change).
    """
    for reg in site.cameras.select_related("camera"):
        wanted = site.status == SiteStatus.APPROVED and reg.shares_live_feed and bool(reg.stream_url)
        if wanted and reg.awaits_stream_review:
            _retire_live_camera(reg, "The new stream address waits for staff review")
            continue
        if not wanted:
            _retire_live_camera(reg, "The owner is not sharing this camera's live picture")
            continue
        try:
            stream_address_check(reg.stream_url)
        except OutboundAddressRefused as exc:
            log.warning("registered camera %s not read: %s", reg.pk, exc)
            _retire_live_camera(reg, "The stream address points inside the center's own network")
            continue
        camera = reg.camera or Camera(kind=CameraKind.REGISTERED_PRIVATE)
        camera.name = f"Registered {site.pk}-{reg.pk}: {reg.placement}"[:120]
        camera.kind = CameraKind.REGISTERED_PRIVATE
        camera.latitude = reg.latitude
        camera.longitude = reg.longitude
        camera.address = site.address
        camera.bearing = reg.bearing
        camera.field_of_view = reg.field_of_view
        camera.stream_url = reg.stream_url
        was_disabled = camera.pk is not None and not camera.enabled
        camera.enabled = True
        camera.save()
        if was_disabled:
            camera_set_status(camera_id=camera.pk, status=CameraStatus.UNKNOWN, reason="Shared again by its owner")
        if reg.camera_id != camera.pk:
            reg.camera = camera
            reg.save(update_fields=["camera"])


def _retire_live_camera(reg: RegisteredCamera, reason: str, *, delete=False):
    camera = reg.camera
    if camera is None:
        return
    if delete:
        # A camera with plate reads or evidence must stay (PROTECT); it loses its stream and address instead.
        from django.db.models import ProtectedError

        try:
            with transaction.atomic():
                camera.delete()
            return
        except ProtectedError:
            camera.address = ""
            camera.name = f"Former registered camera {camera.pk}"
    if camera.enabled or delete:
        camera.enabled = False
        camera.stream_url = ""
        camera.save()
        camera_set_status(camera_id=camera.pk, status=CameraStatus.DISABLED, reason=reason)


@transaction.atomic
def live_feed_stop(*, site: RegisteredSite, registered_camera_id: int):
    """The owner switches one camera's sharing off: its live Camera stops being read at once."""
    reg = site.cameras.select_related("camera").get(pk=registered_camera_id)
    reg.shares_live_feed = False
    reg.save(update_fields=["shares_live_feed"])
    _retire_live_camera(reg, "The owner stopped sharing the live picture")
    Consent.objects.create(
        site=site,
        terms_version=TERMS_VERSION,
        shares_live_feed=site.cameras.filter(shares_live_feed=True).exists(),
    )
    return reg


# --- The yearly check ----------------------------------------------------------------------


def send_verification_reminders(now=None) -> int:
    """E-mail each confirmed owner whose details are older than RTCC_REGISTRY_REMINDER_DAYS; once per cycle."""
    now = now or timezone.now()
    due_before = now - timedelta(days=settings.RTCC_REGISTRY_REMINDER_DAYS)
    sent = 0
    candidates = RegisteredSite.objects.exclude(status=SiteStatus.UNCONFIRMED).filter(
        last_verified_at__lt=due_before, reminder_sent_at__isnull=True
    )
    for site_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            # Claim the row first, so two beats (or a retry) never send twice.
            claimed = RegisteredSite.objects.filter(pk=site_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            site = RegisteredSite.objects.get(pk=site_id)
            send_owner_mail(
                "reminder",
                site.email,
                {"site": site, "manage_url": links.manage_url(site), "stale_days": settings.RTCC_REGISTRY_STALE_DAYS},
            )
            sent += 1
    return sent


# --- Footage requests ----------------------------------------------------------------------


@transaction.atomic
def footage_request_create(
    *, incident, registered_cameras, window_start, window_end, deadline, message, requested_by, request=None
) -> list[FootageRequest]:
    """Ask the owners of `registered_cameras` for footage of one window; each owner gets an upload link by e-mail."""
    longest = timedelta(minutes=settings.RTCC_FOOTAGE_REQUEST_MAX_MINUTES)
    if window_end <= window_start or window_end - window_start > longest:
        raise ValueError(f"The window must end after it starts and last at most {longest}.")
    created = []
    now = timezone.now()
    for reg in registered_cameras:
        if reg.site.status != SiteStatus.APPROVED:
            raise ValueError(f"Camera {reg.pk} is not part of an approved registration.")
        footage_request = FootageRequest.objects.create(
            incident=incident,
            registered_camera=reg,
            requested_by=requested_by,
            window_start=window_start,
            window_end=window_end,
            deadline=deadline,
            message=message,
            status=FootageRequestStatus.SENT,
            sent_at=now,
        )
        send_owner_mail(
            "footage_request",
            reg.site.email,
            {
                "site": reg.site,
                "camera": reg,
                "footage_request": footage_request,
                "upload_url": links.upload_url(footage_request),
                "max_mb": settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
            },
        )
        audit.record(
            actor=requested_by,
            action="registry.footage_requested",
            obj=footage_request,
            request=request,
            details={"incident": incident.pk, "registered_camera": reg.pk, "site": reg.site_id},
        )
        created.append(footage_request)
    return created


def footage_request_check_open(footage_request: FootageRequest):
    if footage_request.status in (FootageRequestStatus.DECLINED, FootageRequestStatus.EXPIRED):
        raise FootageRequestClosed(f"This request was {footage_request.get_status_display().lower()}.")
    if footage_request.deadline <= timezone.now():
        raise FootageRequestClosed("The deadline for this request has passed.")


def footage_request_opened(footage_request: FootageRequest) -> None:
    """The owner opened the upload link (the first time moves the request from sent to opened)."""
    FootageRequest.objects.filter(pk=footage_request.pk, status=FootageRequestStatus.SENT).update(
        status=FootageRequestStatus.OPENED, opened_at=timezone.now()
    )
    footage_request.refresh_from_db(fields=["status", "opened_at"])


@transaction.atomic
def footage_request_decline(footage_request: FootageRequest, *, reason: str = "") -> FootageRequest:
    footage_request = FootageRequest.objects.select_for_update().get(pk=footage_request.pk)
    footage_request_check_open(footage_request)
    if footage_request.status == FootageRequestStatus.UPLOADED:
        raise FootageRequestClosed("Footage was already uploaded for this request.")
    footage_request.status = FootageRequestStatus.DECLINED
    footage_request.decline_reason = reason
    footage_request.responded_at = timezone.now()
    footage_request.save(update_fields=["status", "decline_reason", "responded_at"])
    realtime.publish(
        group=staff_group(Role.ANALYST),
        kind="registry.footage_declined",
        summary=f"An owner declined the footage request for {footage_request.incident.reference}",
        data={"footage_request_id": footage_request.pk, "incident_id": footage_request.incident_id},
    )
    return footage_request


def footage_upload_receive(*, footage_request: FootageRequest, uploaded_file, client_address=None):
    """Store an owner's upload in the footage library (hashed, custody opened) and mark the request uploaded."""
    footage_request_check_open(footage_request)
    reg = footage_request.registered_camera
    clip = store_clip(
        uploaded_file,
        name=uploaded_file.name,
        clip_source=ClipSource.REGISTRY_UPLOAD,
        title=f"{footage_request.incident.reference}: {reg.placement}"[:200],
        actor_label=f"owner of registration {reg.site_id} via signed link",
        camera=reg.camera,
        incident=footage_request.incident,
        started_at=footage_request.window_start,
        ended_at=footage_request.window_end,
        content_type=getattr(uploaded_file, "content_type", "") or "",
        max_bytes=settings.RTCC_FOOTAGE_UPLOAD_MAX_BYTES,
        custody_action=CustodyAction.RECEIVED,
        client_address=client_address,
        detail=f"Uploaded by the owner for footage request {footage_request.pk}",
    )
    with transaction.atomic():
        locked = FootageRequest.objects.select_for_update().get(pk=footage_request.pk)
        locked.clips.add(clip)
        locked.status = FootageRequestStatus.UPLOADED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        summary = f"Owner footage arrived for {footage_request.incident.reference}: {clip.original_name}"
        for role in (Role.TECHNICIAN, Role.ANALYST):
            realtime.publish(
                group=staff_group(role),
                kind="registry.footage_uploaded",
                summary=summary,
                data={"footage_request_id": locked.pk, "clip_id": clip.pk, "incident_id": locked.incident_id},
            )
        send_owner_mail(
            "footage_received",
            reg.site.email,
            {"site": reg.site, "footage_request": locked, "clip": clip},
        )
    footage_request.refresh_from_db()
    return clip


def expire_footage_requests(now=None) -> int:
    """Requests past their deadline with no answer (sent or opened) become expired."""
    now = now or timezone.now()
    return FootageRequest.objects.filter(
        status__in=[FootageRequestStatus.SENT, FootageRequestStatus.OPENED], deadline__lte=now
    ).update(status=FootageRequestStatus.EXPIRED)
