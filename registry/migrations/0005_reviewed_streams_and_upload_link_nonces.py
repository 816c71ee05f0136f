"""Stream addresses are read only once staff approved them; footage upload links carry a per-request nonce.

Cameras of sites approved before this keep their current shared address as the reviewed one, so live feeds
that were running keep running. Footage requests made before this get an empty nonce: their links, signed
without one, keep working until the request's deadline; every new request gets its own.
"""

from django.db import migrations, models

import registry.models


def approved_streams_were_reviewed(apps, schema_editor):
    RegisteredCamera = apps.get_model("registry", "RegisteredCamera")
    approved = RegisteredCamera.objects.filter(site__status="approved", shares_live_feed=True).exclude(stream_url="")
    for cam in approved:
        cam.reviewed_stream_url = cam.stream_url
        cam.save(update_fields=["reviewed_stream_url"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_footage_request_clips_in_footage_app")]

    operations = [
        migrations.AddField(
            model_name="registeredcamera",
            name="reviewed_stream_url",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The shared stream address staff last approved. The capture workers read a shared stream "
                "only while it is this one; any other address, however it came about, waits for staff review.",
                max_length=500,
            ),
        ),
        migrations.RunPython(approved_streams_were_reviewed, migrations.RunPython.noop),
        migrations.AddField(
            model_name="footagerequest",
            name="link_nonce",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="footagerequest",
            name="link_nonce",
            field=models.CharField(
                blank=True,
                default=registry.models.new_link_nonce,
                editable=False,
                help_text="Part of the signed upload link: without it, a link cannot be made from the request's "
                "number. Empty only for requests made before links carried one (their old links work until their "
                "deadline).",
                max_length=32,
            ),
        ),
    ]
