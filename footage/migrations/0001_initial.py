"""Footage becomes its own app: the clip, custody, job, plate, bookmark and export models move here from `cameras`.

Nothing is created in the database: these operations only tell Django's migration state that
the tables `cameras` made (0003, 0004) now belong to this app. `cameras.0005` then forgets them
on its side, and `0002` renames the tables to this app's names as a real operation, so every row
and every foreign key (the registry's footage requests too) stays as it is.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cameras", "0004_footage_workspace"),
        ("incidents", "0003_intake_outbox_escalation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AnalysisJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("plates", "Read plates"),
                                    ("transcode", "Make a browser-playable copy"),
                                    ("redact", "Redact faces and regions"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                db_index=True,
                                default="queued",
                                max_length=16,
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        (
                            "message",
                            models.CharField(
                                blank=True, help_text="What it is doing, or why it failed.", max_length=500
                            ),
                        ),
                        ("options", models.JSONField(blank=True, default=dict)),
                        ("frames_analysed", models.PositiveIntegerField(default=0)),
                        ("seconds_of_video", models.FloatField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("worker", models.CharField(blank=True, max_length=200)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_analysisjob",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="FootageClip",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("recording", "Recorded from a city camera"),
                                    ("registry_upload", "Uploaded by a registered camera's owner"),
                                    ("manual_upload", "Uploaded by staff"),
                                    ("derived", "Derived copy (transcode, redaction)"),
                                ],
                                db_index=True,
                                max_length=20,
                            ),
                        ),
                        ("file", models.FileField(max_length=300, upload_to="footage/%Y/%m/%d/")),
                        ("original_name", models.CharField(blank=True, max_length=255)),
                        ("content_type", models.CharField(blank=True, max_length=100)),
                        ("size_bytes", models.BigIntegerField()),
                        ("sha256", models.CharField(db_index=True, max_length=64)),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, help_text="Wall-clock time of the first frame.", null=True
                            ),
                        ),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        ("duration_seconds", models.FloatField(blank=True, null=True)),
                        ("width", models.PositiveIntegerField(blank=True, null=True)),
                        ("height", models.PositiveIntegerField(blank=True, null=True)),
                        ("fps", models.FloatField(blank=True, null=True)),
                        (
                            "video_codec",
                            models.CharField(
                                blank=True, help_text="As ffprobe names it (h264, mpeg4, ...).", max_length=32
                            ),
                        ),
                        (
                            "derivation",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "Original"),
                                    ("transcode", "Browser-playable copy"),
                                    ("redaction", "Redacted copy"),
                                ],
                                default="",
                                help_text="For a derived copy: what it is.",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "camera",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="clips",
                                to="cameras.camera",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "derived_from",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="derivatives",
                                to="footage.footageclip",
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="clips",
                                to="incidents.incident",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_footageclip",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="EvidenceExport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.CharField(max_length=300)),
                        ("file", models.FileField(max_length=300, upload_to="footage/exports/%Y/%m/%d/")),
                        ("size_bytes", models.BigIntegerField(default=0)),
                        ("sha256", models.CharField(max_length=64)),
                        ("manifest", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "clip",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="exports",
                                to="footage.footageclip",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_evidenceexport",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="CustodyEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("created", "Created"),
                                    ("received", "Received from its owner"),
                                    ("viewed", "Viewed"),
                                    ("downloaded", "Downloaded"),
                                    ("analysed", "Analysed"),
                                    ("derived", "Derived copy made"),
                                    ("exported", "Exported as evidence"),
                                    ("verified", "Hash verified"),
                                    ("note", "Note"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "actor_label",
                            models.CharField(help_text="Who, in words (kept if the user is removed).", max_length=200),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("detail", models.TextField(blank=True)),
                        (
                            "sha256",
                            models.CharField(
                                blank=True, help_text="The file's hash at this step, when checked.", max_length=64
                            ),
                        ),
                        ("client_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "clip",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="custody",
                                to="footage.footageclip",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_custodyentry",
                        "verbose_name_plural": "custody entries",
                        "ordering": ["at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ClipPlate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("plate", models.CharField(db_index=True, max_length=16)),
                        ("plate_raw", models.CharField(blank=True, max_length=32)),
                        ("confidence", models.FloatField()),
                        ("first_seconds", models.FloatField(help_text="Offset into the clip of the first reading.")),
                        ("last_seconds", models.FloatField()),
                        (
                            "best_seconds",
                            models.FloatField(help_text="Offset of the clearest reading: where the player jumps."),
                        ),
                        ("readings", models.PositiveIntegerField(default=0)),
                        ("box", models.JSONField(blank=True, default=dict)),
                        ("crop", models.FileField(blank=True, max_length=300, upload_to="footage/plates/%Y/%m/%d/")),
                        ("hotlist_matches", models.JSONField(blank=True, default=list)),
                        ("alternatives", models.JSONField(blank=True, default=list)),
                        (
                            "job",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="plates",
                                to="footage.analysisjob",
                            ),
                        ),
                        (
                            "clip",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="plates",
                                to="footage.footageclip",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_clipplate",
                        "ordering": ["best_seconds", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ClipBookmark",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at_seconds", models.FloatField()),
                        ("note", models.CharField(max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "clip",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bookmarks",
                                to="footage.footageclip",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cameras_clipbookmark",
                        "ordering": ["at_seconds", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="analysisjob",
                    name="clip",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="jobs", to="footage.footageclip"
                    ),
                ),
                migrations.AddField(
                    model_name="analysisjob",
                    name="result_clip",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="made_by_jobs",
                        to="footage.footageclip",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="footageclip",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("source__in", ["recording", "registry_upload", "manual_upload", "derived"])
                        ),
                        name="clip_source_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="footageclip",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("size_bytes__gte", 0)), name="clip_size_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="footageclip",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("ended_at__isnull", True),
                            ("started_at__isnull", True),
                            ("ended_at__gte", models.F("started_at")),
                            _connector="OR",
                        ),
                        name="clip_span_ordered",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="evidenceexport",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="export_reason_required"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="custodyentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "action__in",
                                [
                                    "created",
                                    "received",
                                    "viewed",
                                    "downloaded",
                                    "analysed",
                                    "derived",
                                    "exported",
                                    "verified",
                                    "note",
                                ],
                            )
                        ),
                        name="custody_action_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="clipplate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("last_seconds__gte", models.F("first_seconds"))), name="clip_plate_span"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="clipbookmark",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("at_seconds__gte", 0)), name="bookmark_time_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="clipbookmark",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("note", ""), _negated=True), name="bookmark_note_not_empty"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="analysisjob",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["plates", "transcode", "redact"])), name="job_kind_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="analysisjob",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "done", "failed"])),
                        name="job_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="analysisjob",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)), name="job_progress_at_most_100"
                    ),
                ),
            ],
        ),
    ]
