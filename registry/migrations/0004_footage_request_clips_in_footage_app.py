"""Footage requests' clips now point at `footage.FootageClip` (moved from `cameras`, same table): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("footage", "0001_initial"),
        ("registry", "0003_owner_links_and_clips"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="footagerequest",
                    name="clips",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="What the owner uploaded.",
                        related_name="footage_requests",
                        to="footage.footageclip",
                    ),
                ),
            ],
        ),
    ]
