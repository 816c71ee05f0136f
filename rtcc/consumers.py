"""The dashboard websocket: one authenticated connection per open page.

Delivery is lossless: the push is only a doorbell for a committed Event row.
Each web process runs one sweeper per event loop that re-reads the recent
events of its connections' groups, so an event whose push was lost (Redis
hiccup, a layer error, a commit that landed after a later id) still reaches
every connected page within RTCC_EVENT_SWEEP_SECONDS, without a reload.
"""

import asyncio
import logging
import weakref
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from . import realtime
from .outages import REDIS_DOWN
from .roles import realtime_groups

log = logging.getLogger(__name__)

# Close codes sent after the handshake; a refused handshake is an HTTP 403.
CLOSE_UNAUTHORISED = 4403

# Ids a connection remembers having sent; older ones fall out of the sweep window long before.
SENT_IDS_KEPT = 5000


class EventConsumer(AsyncJsonWebsocketConsumer):
    """Joins the caller's role (or agency) groups and relays their events.

    Query string: `groups=a,b` to ask for a subset of the allowed groups
    (asking for any other group is refused) and `last_id=N` to receive every
    event after N first.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        allowed = await database_sync_to_async(realtime_groups)(user)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        requested = {g for value in query.get("groups", []) for g in value.split(",") if g}
        if requested and not requested <= allowed:
            await self.close()
            return
        self.groups_joined = sorted(requested or allowed)
        if not self.groups_joined:
            await self.close()
            return
        self.sent_ids = set()
        last_id = _int(query.get("last_id", [None])[0])
        # Events at or below this id are the page's own business (it rendered them or asked from here).
        self.floor_id = last_id if last_id is not None else await database_sync_to_async(realtime.newest_event_id)()
        realtime.register_server_loop(asyncio.get_running_loop())
        joined = await self.join_groups()
        await self.accept()
        await self.send_json({"type": "hello", "groups": self.groups_joined, "delivery": _delivery(joined)})
        if last_id is not None:
            await self.catch_up(last_id)
        Sweeper.for_running_loop().add(self)

    async def disconnect(self, code):
        Sweeper.for_running_loop().discard(self)
        try:
            for group in getattr(self, "groups_joined", []):
                await self.channel_layer.group_discard(group, self.channel_name)
        except REDIS_DOWN:
            pass  # the group entries expire by themselves

    async def join_groups(self) -> bool:
        """Join (again) this connection's channel groups; False while the channel layer is unreachable.

        Until it is back the page still gets every event, from the sweep, a few seconds late.
        """
        outages = getattr(self.channel_layer, "outages", 0)
        try:
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
        except REDIS_DOWN:
            self.instant = False
            return False
        self.joined_at_outages = outages
        self.instant = True
        return True

    async def check_instant_delivery(self):
        """From the sweeper: after a channel-layer outage, join the groups again; tell the page how events come."""
        was_instant = self.instant
        if was_instant and getattr(self.channel_layer, "outages", 0) == self.joined_at_outages:
            return
        now_instant = await self.join_groups()
        if now_instant != was_instant:
            await self.send_json({"type": "delivery", "delivery": _delivery(now_instant)})

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "Expected a JSON object."})
            return
        kind = content.get("type")
        if kind == "resume":
            last_id = _int(content.get("last_id"))
            if last_id is None:
                await self.send_json({"type": "error", "error": "resume needs an integer last_id."})
                return
            await self.catch_up(last_id)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": f"Unknown message type {kind!r}."})

    async def catch_up(self, last_id):
        """Send every event after `last_id`, page by page, however many were missed."""
        cursor, count = last_id, 0
        page_size = settings.RTCC_EVENT_CATCHUP_LIMIT
        while True:
            events = await database_sync_to_async(realtime.events_after)(self.groups_joined, cursor, page_size)
            for event in events:
                await self._send_event(event.as_message())
            count += len(events)
            if events:
                cursor = events[-1].pk
            if len(events) < page_size:
                break
        await self.send_json({"type": "caught_up", "last_id": cursor, "count": count})

    async def event_notify(self, message):
        await self._send_event(message["event"])

    async def deliver_missed(self, events):
        """From the sweeper: send those of `events` that are ours and were not sent yet."""
        joined = set(self.groups_joined)
        for event in events:
            if event["group"] in joined and event["id"] > self.floor_id:
                await self._send_event(event)

    async def _send_event(self, event) -> bool:
        if event["id"] in self.sent_ids:
            return False
        self.sent_ids.add(event["id"])
        if len(self.sent_ids) > SENT_IDS_KEPT:
            self.sent_ids = set(sorted(self.sent_ids)[-SENT_IDS_KEPT // 2 :])
        await self.send_json({"type": "event", "event": event})
        return True


class Sweeper:
    """One per event loop: every few seconds, re-reads the recent events of the open connections' groups.

    One query per process per interval however many sockets are open; each connection
    sends only what it has not sent yet.
    """

    _by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Sweeper]" = weakref.WeakKeyDictionary()

    def __init__(self):
        self.consumers: set[EventConsumer] = set()
        self.task: asyncio.Task | None = None

    @classmethod
    def for_running_loop(cls) -> "Sweeper":
        loop = asyncio.get_running_loop()
        sweeper = cls._by_loop.get(loop)
        if sweeper is None:
            sweeper = cls._by_loop[loop] = cls()
        return sweeper

    def add(self, consumer):
        self.consumers.add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run(), name="rtcc-event-sweeper")

    def discard(self, consumer):
        self.consumers.discard(consumer)
        if not self.consumers and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self):
        while self.consumers:
            await asyncio.sleep(settings.RTCC_EVENT_SWEEP_SECONDS)
            try:
                await self.sweep()
            except Exception:
                # The database may be away for a moment; the next sweep looks back over the same window.
                log.exception("event sweep failed")

    async def sweep(self):
        consumers = [c for c in self.consumers if hasattr(c, "groups_joined")]
        if not consumers:
            return
        groups = {g for c in consumers for g in c.groups_joined}
        above = min(c.floor_id for c in consumers)
        events = await database_sync_to_async(realtime.recent_events)(
            groups, above_id=above, seconds=settings.RTCC_EVENT_SWEEP_WINDOW_SECONDS
        )
        messages = [event.as_message() for event in events]
        for consumer in consumers:
            try:
                await consumer.check_instant_delivery()
                await consumer.deliver_missed(messages)
            except Exception:
                log.exception("could not deliver missed events to %s", consumer.channel_name)


def _delivery(instant: bool) -> str:
    """How the page gets its events: pushed at once, or only from the sweep while the channel layer is down."""
    return "instant" if instant else "polling"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
