"""Load the New Orleans demo: agencies, incident types, cameras and one user per role (passwords printed)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from cameras.models import Camera
from cameras.samples import ensure_sample_clips
from footage.demo import seed_demo_clip
from incidents.demo import seed_demo_incidents
from incidents.models import Agency, IncidentType
from plates.models import Hotlist, HotlistEntry
from registry.demo import seed_demo_registry
from rtcc import demo_data, realtime
from rtcc.roles import STAFF_ALL


class Command(BaseCommand):
    help = "Create or refresh the demo data and print a fresh password for each demo user."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Use this password for every demo user instead of random ones.")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        agencies = {}
        for name, short, kind, email in demo_data.AGENCIES:
            agencies[short], _ = Agency.objects.update_or_create(
                short_name=short, defaults={"name": name, "kind": kind, "contact_email": email}
            )
        for name, slug, category, priority in demo_data.INCIDENT_TYPES:
            IncidentType.objects.update_or_create(
                slug=slug, defaults={"name": name, "cap_category": category, "default_priority": priority}
            )
        total = len(demo_data.CAMERAS)
        self.stdout.write("Making sample footage for the demo cameras (once)…")
        clips = ensure_sample_clips(settings.VAR_DIR / "samples")
        for name, lat, lon, address, kind, bearing in demo_data.CAMERAS:
            if kind == "plate_reader":
                # Two plate readers replay sample traffic; the others push reads through the API.
                stream = clips["plates"] if name in demo_data.STREAMING_PLATE_READERS else ""
            else:
                stream = clips["street"]
            Camera.objects.update_or_create(
                name=name,
                defaults={
                    "stream_url": stream,
                    "sample_fps": 2.0,
                    "latitude": lat,
                    "longitude": lon,
                    "address": address,
                    "kind": kind,
                    "bearing": bearing,
                    "field_of_view": 70 if kind == "plate_reader" else 95,
                    "plate_reading": kind == "plate_reader",
                },
            )

        # Sample traffic passes plates on these lists, so the demo shows hits arriving live.
        for name, source, priority, entries in demo_data.HOTLISTS:
            hotlist, _ = Hotlist.objects.update_or_create(name=name, defaults={"source": source, "priority": priority})
            for plate, reason, vehicle in entries:
                HotlistEntry.objects.update_or_create(
                    hotlist=hotlist,
                    plate=plate,
                    region="LA",
                    defaults={"reason": reason, "vehicle_description": vehicle},
                )

        User = get_user_model()
        logins = []
        for username, first, last, role, agency in demo_data.USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@rtcc.example.org"
            user.is_superuser = user.is_staff = role is None
            user.agency = agencies[agency] if agency else None
            secret = password or secrets.token_urlsafe(9)
            user.set_password(secret)
            user.save()
            user.groups.set([Group.objects.get(name=role)] if role else [])
            logins.append((username, secret, role or "admin (superuser)", agency or ""))

        seed_demo_incidents(demo_data.INCIDENTS, agencies)
        seed_demo_registry()
        plate_camera = Camera.objects.filter(name__in=demo_data.STREAMING_PLATE_READERS).order_by("name").first()
        seed_demo_clip(clips["plates"], camera=plate_camera)
        realtime.publish(group=STAFF_ALL, kind="notice", summary="Demo data loaded: New Orleans cameras and agencies.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(agencies)} agencies, {total} cameras."))
        self.stdout.write("\nLogins (passwords change each time the demo is loaded):")
        self.stdout.write(f"  {'user':<12} {'password':<16} role")
        for username, secret, role, agency in logins:
            self.stdout.write(f"  {username:<12} {secret:<16} {role}{' – ' + agency.upper() if agency else ''}")
