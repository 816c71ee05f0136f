"""A database made before footage became its own app migrates forward without losing a row, a link or a file.

The schema is taken back to the migrations `main` had before the move (footage models in
`cameras`), rows are written through those historical models, and the database is migrated
forward to the latest migrations; every row, foreign key, many-to-many link, file and granted
permission must then be there through the `footage` app's models. The test ends on the latest
schema, so the tests after it see the usual database.
"""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from footage.models import AnalysisJob, ClipBookmark, ClipPlate, CustodyEntry, EvidenceExport, FootageClip
from registry.models import FootageRequest
from rtcc.roles import Role
from tests.factories import camera, incident
from tests.registry_helpers import make_site

# The leaf migrations of the apps this change touched, as they were before it.
BEFORE = [("footage", None), ("cameras", "0004_footage_workspace"), ("registry", "0003_owner_links_and_clips")]
OLD_TABLES = ["cameras_footageclip", "cameras_custodyentry", "cameras_analysisjob", "cameras_evidenceexport"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _write(name: str, content: bytes) -> str:
    return default_storage.save(name, _Bytes(content))


class _Bytes:
    """The least a storage backend needs to save bytes (no Django model in sight)."""

    def __init__(self, content):
        self.content = content
        self.size = len(content)

    def chunks(self, chunk_size=None):
        yield self.content

    def read(self, *args):
        return self.content

    def seek(self, *args):
        return 0

    def close(self):
        pass


@pytest.mark.django_db(transaction=True)
def test_clips_custody_jobs_exports_and_requests_survive_the_move_to_the_footage_app(settings, tmp_path, users):
    settings.MEDIA_ROOT = tmp_path / "media"
    technician = users[Role.TECHNICIAN]
    cam = camera()
    case = incident()
    site = make_site()
    registered = site.cameras.first()

    try:
        loader = _migrate(BEFORE)
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
        assert set(OLD_TABLES) <= tables and "footage_footageclip" not in tables
        old = loader.project_state([node for node in BEFORE if node[1]]).apps
        assert ("footage", "footageclip") not in {(m._meta.app_label, m._meta.model_name) for m in old.get_models()}
        Clip = old.get_model("cameras", "FootageClip")

        video = b"\x00\x00\x00\x18ftypmp42 pretend video bytes"
        clip_name = _write("footage/2026/11/30/canal.mp4", video)
        original = Clip.objects.create(
            title="Canal St at 21:14",
            source="recording",
            camera_id=cam.pk,
            incident_id=case.pk,
            file=clip_name,
            original_name="canal.mp4",
            content_type="video/mp4",
            size_bytes=len(video),
            sha256=hashlib.sha256(video).hexdigest(),
            created_by_id=technician.pk,
        )
        copy_name = _write("footage/2026/11/30/canal-transcode.mp4", video + b"!")
        copy = Clip.objects.create(
            title="Browser-playable copy: Canal St at 21:14",
            source="derived",
            derived_from=original,
            derivation="transcode",
            file=copy_name,
            size_bytes=len(video) + 1,
            sha256=hashlib.sha256(video + b"!").hexdigest(),
        )
        Custody = old.get_model("cameras", "CustodyEntry")
        custody_ids = [
            Custody.objects.create(clip=original, action="created", actor_id=technician.pk, actor_label="tech").pk,
            Custody.objects.create(clip=original, action="derived", actor_label="tech", data={"derived": copy.pk}).pk,
            Custody.objects.create(clip=copy, action="created", actor_label="tech", sha256=copy.sha256).pk,
        ]
        Job = old.get_model("cameras", "AnalysisJob")
        job = Job.objects.create(
            clip=original, kind="transcode", status="done", progress=100, result_clip=copy, created_by_id=technician.pk
        )
        plate_job = Job.objects.create(clip=original, kind="plates", status="done", progress=100)
        crop_name = _write("footage/plates/2026/11/30/ABC123.jpg", b"\xff\xd8jpeg")
        plate = old.get_model("cameras", "ClipPlate").objects.create(
            job=plate_job,
            clip=original,
            plate="ABC123",
            confidence=0.9,
            first_seconds=1.0,
            last_seconds=2.0,
            best_seconds=1.5,
            crop=crop_name,
            hotlist_matches=[{"hotlist": "Stolen"}],
        )
        bookmark = old.get_model("cameras", "ClipBookmark").objects.create(
            clip=original, at_seconds=1.5, note="plate visible"
        )
        export_name = _write("footage/exports/2026/11/30/case.zip", b"PK zip")
        export = old.get_model("cameras", "EvidenceExport").objects.create(
            clip=original, reason="DA request 26-0412", file=export_name, size_bytes=6, sha256="ab" * 32
        )
        Request = old.get_model("registry", "FootageRequest")
        now = timezone.now()
        request = Request.objects.create(
            incident_id=case.pk,
            registered_camera_id=registered.pk,
            requested_by_id=technician.pk,
            window_start=now - timedelta(hours=1),
            window_end=now,
            deadline=now + timedelta(days=3),
        )
        request.clips.add(original)
        # A permission granted on the old content type must still be granted after the move.
        old_type = ContentType.objects.get(app_label="cameras", model="footageclip")
        view_clip = Permission.objects.get(content_type=old_type, codename="view_footageclip")
        assert Group.objects.get(name=Role.TECHNICIAN).permissions.filter(pk=view_clip.pk).exists()
        technician.user_permissions.add(view_clip)

        _migrate(_latest())
    finally:
        _migrate(_latest())  # whatever happened, the tests after this one get the latest schema
        ContentType.objects.clear_cache()  # the content types were relabelled back and forth

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert not set(OLD_TABLES) & tables
    assert {"footage_footageclip", "footage_custodyentry", "footage_analysisjob", "footage_evidenceexport"} <= tables

    moved = FootageClip.objects.get(pk=original.pk)
    assert (moved.title, moved.camera_id, moved.incident_id, moved.created_by_id) == (
        "Canal St at 21:14",
        cam.pk,
        case.pk,
        technician.pk,
    )
    assert moved.file.name == clip_name and moved.file.read() == video
    assert moved.sha256 == hashlib.sha256(video).hexdigest()
    moved_copy = FootageClip.objects.get(pk=copy.pk)
    assert moved_copy.derived_from == moved and moved_copy.file.name == copy_name
    assert list(moved.derivatives.all()) == [moved_copy]

    assert list(CustodyEntry.objects.order_by("id").values_list("id", flat=True)) == custody_ids
    assert [e.action for e in moved.custody.all()] == ["created", "derived"]
    assert moved.custody.all()[1].data == {"derived": copy.pk}
    assert CustodyEntry.objects.get(pk=custody_ids[0]).actor_id == technician.pk

    moved_job = AnalysisJob.objects.get(pk=job.pk)
    assert (moved_job.clip, moved_job.result_clip, moved_job.status) == (moved, moved_copy, "done")
    assert set(moved.jobs.values_list("pk", flat=True)) == {job.pk, plate_job.pk}
    moved_plate = ClipPlate.objects.get(pk=plate.pk)
    assert (moved_plate.job_id, moved_plate.clip_id, moved_plate.plate) == (plate_job.pk, original.pk, "ABC123")
    assert moved_plate.crop.name == crop_name and moved_plate.crop.read() == b"\xff\xd8jpeg"
    assert moved_plate.hotlist_matches == [{"hotlist": "Stolen"}]
    assert ClipBookmark.objects.get(pk=bookmark.pk).clip == moved
    moved_export = EvidenceExport.objects.get(pk=export.pk)
    assert (moved_export.clip, moved_export.reason) == (moved, "DA request 26-0412")
    assert moved_export.file.name == export_name and moved_export.file.read() == b"PK zip"

    assert list(FootageRequest.objects.get(pk=request.pk).clips.all()) == [moved]
    assert list(moved.footage_requests.all()) == [FootageRequest.objects.get(pk=request.pk)]

    assert not ContentType.objects.filter(app_label="cameras", model="footageclip").exists()
    new_type = ContentType.objects.get_for_model(FootageClip)
    assert new_type.pk == old_type.pk
    technician = type(technician).objects.get(pk=technician.pk)
    assert technician.has_perm("footage.view_footageclip")
    assert Group.objects.get(name=Role.TECHNICIAN).permissions.filter(pk=view_clip.pk).exists()

    # The database still enforces the foreign keys on the renamed tables.
    with pytest.raises(IntegrityError), transaction.atomic():
        ClipBookmark.objects.create(clip_id=copy.pk + 1000, at_seconds=1.0, note="no such clip")
