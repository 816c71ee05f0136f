"""The dashboard websocket: one authenticated connection per open page."""

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import realtime
from .roles import realtime_groups

# Close codes sent after the handshake; a refused handshake is an HTTP 403.
CLOSE_UNAUTHORISED = 4403


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
        realtime.register_server_loop(asyncio.get_running_loop())
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "groups": self.groups_joined})
        last_id = _int(query.get("last_id", [None])[0])
        if last_id is not None:
            await self.catch_up(last_id)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

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
        events = await database_sync_to_async(realtime.events_after)(self.groups_joined, last_id)
        for event in events:
            await self._send_event(event.as_message())
        newest = events[-1].pk if events else last_id
        await self.send_json({"type": "caught_up", "last_id": newest, "count": len(events)})

    async def event_notify(self, message):
        await self._send_event(message["event"])

    async def _send_event(self, event):
        if event["id"] in self.sent_ids:
            return
        self.sent_ids.add(event["id"])
        if len(self.sent_ids) > 5000:
            self.sent_ids = set(sorted(self.sent_ids)[-1000:])
        await self.send_json({"type": "event", "event": event})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
