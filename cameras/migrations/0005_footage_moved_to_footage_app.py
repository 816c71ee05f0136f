"""The footage models now belong to the `footage` app (footage/migrations/0001): forget them here, drop nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cameras", "0004_footage_workspace"),
        ("footage", "0001_initial"),
        ("registry", "0004_footage_request_clips_in_footage_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="EvidenceExport"),
                migrations.DeleteModel(name="ClipBookmark"),
                migrations.DeleteModel(name="ClipPlate"),
                migrations.DeleteModel(name="AnalysisJob"),
                migrations.DeleteModel(name="CustodyEntry"),
                migrations.DeleteModel(name="FootageClip"),
            ],
        ),
    ]
