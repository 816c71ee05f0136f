"""The realtime spine: durable events and the one broadcast helper.

Services call `publish(...)` inside their transaction. The event row is
committed with the change it reports; after commit it is pushed to the
channel group. A lost push loses nothing: clients catch up by id.
"""

import asyncio
import logging
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Event
from .outages import REDIS_DOWN, Warner

log = logging.getLogger(__name__)

# The event loop that serves websockets in this process. The in-memory channel
# layer is bound to it, so in the embedded mode (no Redis) pushes from worker
# threads are handed to that loop instead of a throwaway one.
_server_loop: asyncio.AbstractEventLoop | None = None


_warn_push = Warner("realtime push")


# What each event kind is called on a screen: operators read these, never the developer's dotted names.
EVENT_LABELS = {
    "notice": "Notice",
    "camera.online": "Camera online",
    "camera.degraded": "Camera degraded",
    "camera.offline": "Camera offline",
    "camera.disabled": "Camera disabled",
    "camera.unknown": "Camera not yet read",
    "hit.created": "Plate hit",
    "hit.repeated": "Seen again",
    "hit.claimed": "Hit taken",
    "hit.reviewed": "Hit reviewed",
    "hit.withdrawn": "Hit withdrawn",
    "hit.revised": "Hit revised",
    "hotlist.feed": "Hotlist feed",
    "incident.created": "New incident",
    "incident.updated": "Incident update",
    "incident.closed": "Incident closed",
    "incident.note": "Incident note",
    "incident.attachment": "Incident file",
    "incident.cameras": "Cameras near incident",
    "incident.dispatched": "Dispatched",
    "dispatch.created": "Dispatched",
    "dispatch.acknowledged": "Acknowledged",
    "dispatch.escalated": "Not acknowledged",
    "footage.pull.done": "Footage saved",
    "footage.pull.failed": "Footage failed",
    "footage.job.progress": "Footage analysis",
    "footage.job.done": "Footage analysed",
    "footage.job.failed": "Footage analysis failed",
    "registry.pending": "New camera registration",
    "registry.footage_uploaded": "Footage from a resident",
    "registry.footage_declined": "Footage request declined",
}


def event_label(kind: str) -> str:
    """The plain words for an event kind; an unlisted kind reads as its words ("foo.bar_baz" -> "Foo bar baz")."""
    return EVENT_LABELS.get(kind) or kind.replace(".", " ").replace("_", " ").capitalize()


def register_server_loop(loop):
    global _server_loop
    _server_loop = loop


def publish(*, group: str, kind: str, summary: str, data: dict | None = None, severity: str = "info") -> Event:
    """Store an event for `group` and push it to connected clients once committed."""
    event = Event.objects.create(group=group, kind=kind, summary=summary[:300], data=data or {}, severity=severity)
    message = event.as_message()
    transaction.on_commit(lambda: push(group, message))
    return event


def push(group: str, message: dict) -> bool:
    """Send an already-stored event to a channel group; False if the layer is unreachable."""
    layer = get_channel_layer()
    payload = {"type": "event.notify", "event": message}
    try:
        loop = _server_loop
        if isinstance(layer, InMemoryChannelLayer) and loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, payload), loop)
            future.result(timeout=settings.RTCC_HEALTH_TIMEOUT)
        else:
            async_to_sync(layer.group_send)(group, payload)
        return True
    except REDIS_DOWN as exc:
        # The row is committed; open pages get it from their sweep, reconnecting ones from catch-up.
        _warn_push(exc)
        return False
    except Exception:
        log.exception("could not push event %s to group %s", message.get("id"), group)
        return False


def events_after(groups, last_id: int, limit: int | None = None):
    """Events for any of `groups` with an id above `last_id`, oldest first (one page of at most `limit`)."""
    limit = limit or settings.RTCC_EVENT_CATCHUP_LIMIT
    return list(Event.objects.filter(group__in=list(groups), id__gt=last_id).order_by("id")[:limit])


def recent_events(groups, *, above_id: int, seconds: float, limit: int = 2000):
    """Events for `groups` above `above_id` created in the last `seconds`: what a sweep re-checks.

    Ids are taken when a transaction inserts, not when it commits, so an event may become
    visible after a higher id was already delivered; looking back over a window, not just
    past the highest id, is what keeps such an event from being skipped.
    """
    since = timezone.now() - timedelta(seconds=seconds)
    return list(
        Event.objects.filter(group__in=list(groups), id__gt=above_id, created_at__gte=since).order_by("id")[:limit]
    )


def newest_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def latest_events(groups, limit=25):
    return list(reversed(Event.objects.filter(group__in=list(groups)).order_by("-id")[:limit]))
