"""Owner-only (covert) hotlists: their owner and supervisors see them; nobody else learns anything of them.

Every route is walked (the same walk as test_every_view_checks_roles) as every other role, reading and
posting, with covert data in every place it can reach: a hit waiting for review, a confirmed hit attached
to an incident by its owner, and a footage clip whose plate job (started by a supervisor) matched the list.
The covert plates, the entry's reason and the list's name must appear in no page, API answer, export,
incident timeline or websocket message for them, and nothing they post may change a covert hit.
"""

import io
import json
import re
import zipfile

import pytest
from channels.db import database_sync_to_async
from django.core.files.base import ContentFile
from django.utils import timezone

from footage.analysis import _hotlist_facts
from footage.choices import ClipSource
from footage.evidence import export_create
from footage.library import store_clip
from footage.models import AnalysisJob, ClipPlate
from incidents.models import TimelineEvent
from incidents.services import incident_create
from plates.models import Hit, Hotlist, HotlistEntry
from plates.services import hit_review, plate_read_record
from tests.factories import camera, incident_type, one_of_everything
from tests.test_every_view_checks_roles import ALL

LIST_NAME = "Operation Nightjar"
REASON = "Informant vehicle - do not stop"
WAITING_PLATE = "NJX4471"  # its hit waits for review
CONFIRMED_PLATE = "NJQ8802"  # its hit is confirmed and attached to an incident by the owner
SECRETS = (LIST_NAME, REASON, WAITING_PLATE, CONFIRMED_PLATE)

# Signing out would end the walk's session; the second-factor pages are each person's own.
SKIP = re.compile(r"^/(logout/|two-factor/)")
# What a curious analyst posts everywhere: the covert hit's number, and a review of it.
HOSTILE = {"status": "confirmed", "reason": "false_read", "outcome": "arrest", "note": "mine now", "text": "x"}


def covert_world(owner, supervisor):
    one_of_everything(supervisor)  # ordinary rows everywhere, so every page has something to render
    cam = camera("Tchoupitoulas LPR", kind="plate_reader")
    covert = Hotlist.objects.create(name=LIST_NAME, visibility="owner_only", owner=owner, priority=1)
    for plate in (WAITING_PLATE, CONFIRMED_PLATE):
        HotlistEntry.objects.create(hotlist=covert, plate=plate, reason=REASON, vehicle_description="")
        plate_read_record(camera_id=cam.pk, plate=plate, read_at=timezone.now(), confidence=0.95)
    waiting = Hit.objects.get(hotlist=covert, matched_plate=WAITING_PLATE)
    confirmed = hit_review(
        hit=Hit.objects.get(hotlist=covert, matched_plate=CONFIRMED_PLATE), user=owner, status="confirmed", note=""
    )
    incident = incident_create(
        incident_type=incident_type(),
        title="Vehicle of interest",
        latitude=cam.latitude,
        longitude=cam.longitude,
        user=owner,
        source="hit",
        source_id=str(confirmed.pk),
        hit=confirmed,
    )
    clip = store_clip(
        ContentFile(b"\x00\x00\x00\x18ftypmp42 not really a video", name="driveway.mp4"),
        name="driveway.mp4",
        clip_source=ClipSource.MANUAL_UPLOAD,
        actor=owner,
        camera=cam,
        incident=incident,
    )
    # Started by a supervisor (who sees every list), the job stored the covert match with the clip's plates.
    job = AnalysisJob.objects.create(clip=clip, kind="plates", created_by=supervisor, status="done")
    matches = _hotlist_facts(WAITING_PLATE, viewer=supervisor)
    assert matches and matches[0]["hotlist"] == LIST_NAME
    ClipPlate.objects.create(
        job=job,
        clip=clip,
        plate="AB12CD",  # the clip's own plate is ordinary data; the covert match is what must not show
        confidence=0.9,
        first_seconds=0,
        last_seconds=1,
        best_seconds=0.5,
        hotlist_matches=matches,
    )
    return {"hotlist": covert, "waiting": waiting, "confirmed": confirmed, "incident": incident, "clip": clip}


def paths_for(world):
    """Every walked route, each number filled in with each covert object's number."""
    numbers = sorted({world[k].pk for k in ("hotlist", "waiting", "confirmed", "incident", "clip")})
    for path in ALL:
        if SKIP.match(path):
            continue
        if "/1/" not in path and not path.endswith("/1"):
            yield path
            continue
        for n in numbers:
            yield re.sub(r"(?<=/)1(?=/|$)", str(n), path)


def body_of(response):
    if response.get("Content-Type", "").startswith(("multipart/", "image/", "video/")):
        return b""  # live camera pictures and clips: no text of any list in them
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaked(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [s for s in SECRETS if s in text]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["analyst", "video_technician", "responder", "other_responder", "norole"])
def test_no_other_role_learns_anything_of_a_covert_hotlist_on_any_route(client, users, make_user, role):
    owner = make_user("analyst")
    world = covert_world(owner, users["supervisor"])
    client.force_login(users[role])
    client.raise_request_exception = False  # the walk is about what is shown; 500s are another test's business
    found = []
    for path in paths_for(world):
        for method, data in (("get", {}), ("post", {**HOSTILE, "hit": world["waiting"].pk})):
            response = getattr(client, method)(path, data)
            if leaked(body_of(response)):
                found.append((method, path, response.status_code, leaked(body_of(response))))
        # Attach and review paths, also with the confirmed covert hit.
        client.post(path, {**HOSTILE, "hit": world["confirmed"].pk})
    assert found == []
    waiting = Hit.objects.get(pk=world["waiting"].pk)
    assert waiting.status == "new" and waiting.reviewed_by is None
    assert not TimelineEvent.objects.filter(hit__hotlist=world["hotlist"]).exclude(actor=owner).exists()
    # And with everything posted, a last read of every page still shows none of it.
    for path in paths_for(world):
        assert leaked(body_of(client.get(path))) == [], path


@pytest.mark.django_db
def test_the_owner_and_supervisors_see_the_covert_list_its_hits_and_the_incident_timeline(client, users, make_user):
    owner = make_user("analyst")
    world = covert_world(owner, users["supervisor"])
    for user in (owner, users["supervisor"]):
        client.force_login(user)
        overview = client.get("/plates/").content.decode()
        assert LIST_NAME in overview and WAITING_PLATE in overview, user
        timeline = client.get(f"/incidents/{world['incident'].pk}/").content.decode()
        assert REASON in timeline and CONFIRMED_PLATE in timeline, user
    clip_page = client.get(f"/footage/{world['clip'].pk}/").content.decode()  # footage: supervisors, not analysts
    assert LIST_NAME in clip_page


@pytest.mark.django_db
def test_a_review_or_attach_of_someone_elses_covert_hit_is_answered_as_missing(client, users, make_user):
    owner = make_user("analyst")
    world = covert_world(owner, users["supervisor"])
    client.force_login(users["analyst"])
    answer = client.post(f"/plates/hits/{world['waiting'].pk}/review/", {"status": "dismissed"})
    assert answer.status_code == 404 and WAITING_PLATE not in answer.content.decode()
    json_answer = client.post(
        f"/plates/hits/{world['waiting'].pk}/review/", {"status": "confirmed"}, HTTP_ACCEPT="application/json"
    )
    assert json_answer.status_code == 404
    assert Hit.objects.get(pk=world["waiting"].pk).status == "new"
    client.post(f"/incidents/{world['incident'].pk}/attach/plate/", {"hit": world["waiting"].pk}, follow=True)
    assert not TimelineEvent.objects.filter(hit=world["waiting"]).exists()
    # The owner may: the same two posts work for them.
    client.force_login(owner)
    assert client.post(f"/plates/hits/{world['waiting'].pk}/review/", {"status": "confirmed"}).status_code == 302
    client.post(f"/incidents/{world['incident'].pk}/attach/plate/", {"hit": world["waiting"].pk})
    assert TimelineEvent.objects.filter(hit=world["waiting"], actor=owner).exists()


@pytest.mark.django_db
def test_an_evidence_export_by_another_analyst_carries_no_covert_match(users, make_user):
    owner = make_user("analyst")
    world = covert_world(owner, users["supervisor"])

    def analysis_of(actor):
        export = export_create(clip=world["clip"], reason="Case 26-5512", actor=actor)
        with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as package:
            return json.loads(package.read("analysis.json"))

    assert leaked(json.dumps(analysis_of(users["video_technician"])).encode()) == []
    assert LIST_NAME in json.dumps(analysis_of(users["supervisor"]))


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "role,sees",
    [("owner", True), ("supervisor", True), ("analyst", False), ("video_technician", False), ("responder", False)],
)
async def test_websocket_messages_carry_covert_hits_only_to_the_owner_and_supervisors(
    memory_layer, ws_connect, users, make_user, role, sees
):
    owner = await database_sync_to_async(make_user)("analyst")
    await database_sync_to_async(covert_world)(owner, users["supervisor"])
    who = owner if role == "owner" else users[role]
    communicator, connected, _ = await ws_connect(who, "last_id=0")  # every stored event of the person's groups
    assert connected
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        messages.append(message)
        if message["type"] == "caught_up":
            break
    await communicator.disconnect()
    text = json.dumps(messages)
    if sees:
        assert WAITING_PLATE in text
    else:
        assert [s for s in SECRETS if s in text] == []
