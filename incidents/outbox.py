"""The agency delivery outbox: signed webhooks with retries and backoff, e-mail as the fallback.

A Delivery row is written in the transaction that dispatches or changes an
incident. `deliveries_send_due` claims due rows one by one with a conditional
UPDATE (two workers never send the same row), posts the JSON body signed with
the agency's shared secret, and records the outcome. A failing receiver is
retried with exponential backoff; after RTCC_WEBHOOK_EMAIL_AFTER failures the
agency's contact address gets the same notification by e-mail, and after
RTCC_WEBHOOK_MAX_ATTEMPTS the webhook is marked failed (visible on the
incident page and in admin).

Every failure to deliver a webhook is recorded with one text, WEBHOOK_FAILED, whatever went wrong (an
address refused by `rtcc.netguard`, a refused connection, a timeout, an HTTP error): a person who may set
an agency's address must not learn from it which of the server's ports are open. The detail goes to the
server log only.

Receivers verify `X-RTCC-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<X-RTCC-Timestamp>.<body>` with the shared secret, and drop repeats of the
same `X-RTCC-Delivery` id (a delivery whose answer was lost is sent again).
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from rtcc.backoff import backoff_delay
from rtcc.celery import app as celery_app
from rtcc.netguard import OutboundAddressRefused, check_outbound_url

from .choices import DeliveryChannel, DeliveryStatus
from .models import Delivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-RTCC-Signature"
TIMESTAMP_HEADER = "X-RTCC-Timestamp"
DELIVERY_HEADER = "X-RTCC-Delivery"
SEND_TASK = "incidents.tasks.send_deliveries"
WEBHOOK_FAILED = "Not delivered: the agency's receiver could not be reached or did not accept it."


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def enqueue(*, dispatch, kind: str, summary: str) -> Delivery | None:
    """Queue a notification of `kind` about the dispatch's incident for the agency, if it has a webhook or e-mail."""
    agency = dispatch.agency
    if agency.webhook_url:
        channel = DeliveryChannel.WEBHOOK
    elif agency.contact_email:
        channel = DeliveryChannel.EMAIL
    else:
        return None
    incident = dispatch.incident
    payload = {
        "kind": kind,
        "summary": summary,
        "agency": agency.short_name,
        "dispatch_id": dispatch.pk,
        "message": dispatch.message,
        "incident": {**incident.brief(), "revision": incident.revision, "opened_at": incident.created_at.isoformat()},
        "at": timezone.now().isoformat(),
        "cap_url": f"{settings.RTCC_PUBLIC_BASE_URL}/incidents/feeds/{agency.short_name}/{incident.pk}/cap.xml",
    }
    return Delivery.objects.create(
        agency=agency, incident=incident, dispatch=dispatch, channel=channel, kind=kind, payload=payload
    )


def kick():
    """Ask a worker to send now instead of at the next beat (best effort: the beat sends anyway)."""
    # Sent by name: the task module imports this one (and the dispatch services that call kick).
    try:
        celery_app.send_task(SEND_TASK)
    except Exception:
        log.warning("could not queue send_deliveries; the periodic beat will send", exc_info=True)


def backoff_seconds(attempts: int) -> float:
    """Seconds before the next try after `attempts` failures.

    Little jitter: agencies are told the wait doubles each time, and their rows are already spread by when
    each was dispatched; the jitter only keeps a burst of failures from retrying in the same second.
    """
    return backoff_delay(
        attempts - 1, base=settings.RTCC_WEBHOOK_BACKOFF_BASE, cap=settings.RTCC_WEBHOOK_BACKOFF_MAX, jitter=0.2
    )


def deliveries_send_due(now=None, limit: int = 100) -> int:
    """Send every due delivery; returns how many were delivered this round."""
    now = now or timezone.now()
    # A worker that died mid-send leaves its claim; after it lapses the row is due again, unless that
    # lost attempt was its last one. The attempt was counted when it was claimed, so it is not lost.
    lapsed = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_until__lt=now)
    lapsed.filter(attempts__gte=settings.RTCC_WEBHOOK_MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, last_error="the worker stopped during the last attempt", claimed_until=None
    )
    lapsed.update(status=DeliveryStatus.PENDING, claimed_until=None)
    due = list(Delivery.objects.due(now).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    delivered = 0
    for pk in due:
        claim_until = timezone.now() + timedelta(
            seconds=settings.RTCC_WEBHOOK_TIMEOUT * 2 + settings.RTCC_WEBHOOK_CLAIM_GRACE
        )
        # The attempt is recorded before the send: a worker killed mid-send still leaves it counted.
        if not Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_until=claim_until, attempts=F("attempts") + 1
        ):
            continue  # another worker has it
        delivery = Delivery.objects.select_related("agency", "incident").get(pk=pk)
        delivered += delivery_send(delivery)
    return delivered


def delivery_send(delivery: Delivery) -> bool:
    """One attempt at a claimed delivery (its attempt already counted); records the outcome and what comes next."""
    try:
        if delivery.channel == DeliveryChannel.WEBHOOK:
            status_code = _post(delivery)
        else:
            _email(delivery)
            status_code = None
    except Exception as exc:
        _failed(delivery, exc)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        last_status_code=status_code,
        last_error="",
        claimed_until=None,
    )
    return True


class ReceiverError(Exception):
    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def body_of(delivery: Delivery) -> bytes:
    document = {"id": delivery.pk, **delivery.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _post(delivery: Delivery) -> int:
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.agency.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "rtcc-dispatch/1",
            TIMESTAMP_HEADER: timestamp,
            DELIVERY_HEADER: str(delivery.pk),
            SIGNATURE_HEADER: sign(delivery.agency.webhook_secret, timestamp, body),
        },
    )
    if urllib.parse.urlsplit(delivery.agency.webhook_url).scheme not in ("http", "https"):
        raise ReceiverError("the agency's webhook address must start with http:// or https://")
    # Checked again at each send, not only when saved: what a host name resolves to may have changed since.
    try:
        check_outbound_url(delivery.agency.webhook_url, allowed_networks=settings.RTCC_WEBHOOK_ALLOWED_NETWORKS)
    except OutboundAddressRefused as exc:
        raise ReceiverError(f"address refused: {exc}") from None
    try:
        with _OPENER.open(request, timeout=settings.RTCC_WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        raise ReceiverError(f"receiver answered HTTP {exc.code}", exc.code) from None
    except urllib.error.URLError as exc:
        raise ReceiverError(f"could not reach receiver: {exc.reason}") from None
    except TimeoutError:
        raise ReceiverError(f"no answer within {settings.RTCC_WEBHOOK_TIMEOUT:g} s") from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook is posted to the address the agency gave, never to wherever that answer points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Only plain HTTP(S) handlers, no redirects: an address set in admin cannot be bounced to other hosts.
_OPENER = urllib.request.build_opener(_NoRedirects)


def _email(delivery: Delivery):
    payload = delivery.payload
    incident = payload["incident"]
    lines = [
        payload["summary"],
        f"Time: {_center_time(payload.get('at') or delivery.created_at)}",
        "",
        f"Incident: {incident['reference']} – {incident['title']}",
        f"Type: {incident['type']}   Priority: P{incident['priority']}   Status: {incident['status_label']}",
        f"Location: {incident['address'] or 'see map'} ({incident['lat']:.6f}, {incident['lon']:.6f})",
    ]
    if incident.get("opened_at"):
        lines.append(f"Opened: {_center_time(incident['opened_at'])}")
    if incident.get("cad_number"):
        lines.append(f"CAD number: {incident['cad_number']}")
    if payload.get("message"):
        lines.append(f"Message: {payload['message']}")
    lines += ["", f"CAP 1.2: {payload['cap_url']}", f"Responders: {settings.RTCC_PUBLIC_BASE_URL}/incidents/respond/"]
    # Incident words come from CAD systems and may hold line breaks; a header cannot, so the subject is one line.
    subject = " ".join(f"[RTCC {payload['agency'].upper()}] {payload['summary']}".split())[:200]
    send_mail(
        subject=subject,
        message="\n".join(lines),
        from_email=settings.RTCC_INCIDENT_FROM_EMAIL,
        recipient_list=[delivery.agency.contact_email],
        fail_silently=False,
    )


def _center_time(value) -> str:
    """A moment in the center's time zone, with the date and the zone named: "2026-12-01 05:39:23 CST"."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return date_format(timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)), "Y-m-d H:i:s T")


def _failed(delivery: Delivery, exc: Exception):
    attempts = delivery.attempts
    gave_up = attempts >= settings.RTCC_WEBHOOK_MAX_ATTEMPTS
    detail = str(exc)[:500] or exc.__class__.__name__
    log.warning("delivery %s to %s failed (attempt %s): %s", delivery.pk, delivery.agency.short_name, attempts, detail)
    error = WEBHOOK_FAILED if delivery.channel == DeliveryChannel.WEBHOOK else detail
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
            attempts=attempts,
            last_error=error,
            last_status_code=getattr(exc, "status_code", None),
            next_attempt_at=timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
            claimed_until=None,
        )
        wants_fallback = (
            delivery.channel == DeliveryChannel.WEBHOOK
            and delivery.agency.contact_email
            and (attempts >= settings.RTCC_WEBHOOK_EMAIL_AFTER or gave_up)
        )
        if wants_fallback and not delivery.fallbacks.exists():
            Delivery.objects.create(
                agency=delivery.agency,
                incident=delivery.incident,
                dispatch_id=delivery.dispatch_id,
                channel=DeliveryChannel.EMAIL,
                kind=delivery.kind,
                payload=delivery.payload,
                fallback_of=delivery,
            )
