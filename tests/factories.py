"""Small builders for domain rows, so tests say what matters and nothing else."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cameras.models import Camera, CameraStatusEvent, DeviceToken
from footage.choices import ClipSource
from footage.library import store_clip
from footage.models import AnalysisJob, EvidenceExport
from incidents.models import (
    Acknowledgement,
    Agency,
    Delivery,
    Dispatch,
    Incident,
    IncidentType,
    IntakeSource,
    TimelineEvent,
)
from plates.models import Hit, Hotlist, HotlistEntry, PlateRead
from registry.models import Consent, FootageRequest, RegisteredCamera, RegisteredSite
from rtcc import audit, realtime


def camera(name="Canal & Bourbon", **kwargs):
    values = {"latitude": 29.9546, "longitude": -90.0694, "address": "Canal St at Bourbon St"}
    values.update(kwargs)
    return Camera.objects.create(name=name, **values)


def incident_type():
    return IncidentType.objects.get_or_create(slug="fire", defaults={"name": "Structure fire", "cap_category": "Fire"})[
        0
    ]


def incident(**kwargs):
    values = {"title": "Smoke showing", "latitude": 29.9528, "longitude": -90.0775, "address": "1300 Perdido St"}
    values.update(kwargs)
    return Incident.objects.create(incident_type=incident_type(), **values)


def one_of_everything(user):
    """A row in every model, so admin pages render real columns."""
    cam = camera()
    CameraStatusEvent.objects.create(camera=cam, status="online", reason="frames arriving")
    DeviceToken.issue(camera=cam, label="LPR unit 7")
    read = PlateRead.objects.create(camera=cam, plate="ABC1234", confidence=0.93, read_at=timezone.now())
    hotlist = Hotlist.objects.create(name="Stolen vehicles", source="ncic", owner=user)
    entry = HotlistEntry.objects.create(hotlist=hotlist, plate="ABC1234", reason="Stolen 2026-11-20")
    hit = Hit.objects.create(plate_read=read, entry=entry, hotlist=hotlist, match_kind="exact", matched_plate="ABC1234")
    agency = Agency.objects.get_or_create(short_name="nopd", defaults={"name": "NOPD", "kind": "police"})[0]
    inc = incident(created_by=user)
    TimelineEvent.objects.create(incident=inc, kind="note", text="Caller reports smoke", actor=user, hit=hit)
    dispatch = Dispatch.objects.create(incident=inc, agency=agency, dispatched_by=user)
    Acknowledgement.objects.create(dispatch=dispatch, user=user)
    IntakeSource.issue(name="ShotSpotter", kind="gunshot")
    # Unconfirmed: `user` still signs in without a second factor.
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=False).token_set.create(token="abcdefgh")
    clip = store_clip(
        ContentFile(b"\x00\x00\x00\x18ftypmp42 not really a video", name="porch.mp4"),
        name="porch.mp4",
        clip_source=ClipSource.MANUAL_UPLOAD,
        actor=user,
        camera=cam,
        incident=inc,
    )
    AnalysisJob.objects.create(clip=clip, kind="plates", created_by=user)
    EvidenceExport.objects.create(clip=clip, reason="Court case 26-0412", sha256="0" * 64, created_by=user)
    Delivery.objects.create(agency=agency, incident=inc, dispatch=dispatch, channel="email", kind="dispatch.created")
    site = RegisteredSite.objects.create(
        owner_name="Marie Laveau",
        email="marie@example.org",
        address="1020 St Ann St",
        latitude=29.9603,
        longitude=-90.0652,
        status="approved",
    )
    reg_cam = RegisteredCamera.objects.create(
        site=site,
        placement="Porch",
        latitude=29.9603,
        longitude=-90.0652,
        bearing=180,
        field_of_view=90,
        retention_days=14,
        covers=["street"],
    )
    Consent.objects.create(site=site, terms_version="2026-1")
    now = timezone.now()
    FootageRequest.objects.create(
        incident=inc,
        registered_camera=reg_cam,
        requested_by=user,
        window_start=now - timedelta(hours=1),
        window_end=now,
        deadline=now + timedelta(days=2),
    )
    audit.record(actor=user, action="plates.search", obj=read, reason="case 26-1234")
    realtime.publish(group="staff.all", kind="notice", summary="hello")
    return {"camera": cam, "incident": inc, "site": site, "read": read}
