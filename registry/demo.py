"""Demo registrations for New Orleans (made-up owners), so the registry's staff pages have something to show."""

from django.utils import timezone

from .choices import SiteStatus
from .models import Consent, RegisteredCamera, RegisteredSite

# (owner, business, e-mail, address, latitude, longitude, status, cameras: (placement, bearing, fov, covers, days))
SITES = [
    (
        "Odile Broussard",
        "Broussard Pralines",
        "odile@pralines.example",
        "811 Royal St",
        29.958900,
        -90.064400,
        SiteStatus.APPROVED,
        [("Shop door", 225, 90, ["sidewalk", "street"], 30), ("Courtyard gate", 45, 90, ["alley"], 30)],
    ),
    (
        "Jules Mercier",
        "",
        "jules.mercier@example.org",
        "1021 Chartres St",
        29.960600,
        -90.060800,
        SiteStatus.APPROVED,
        [("Balcony, facing the street", 135, 120, ["street", "sidewalk"], 14)],
    ),
    (
        "Lena Thibodeaux",
        "Crescent Parking",
        "manager@crescentparking.example",
        "300 Decatur St",
        29.953800,
        -90.065300,
        SiteStatus.APPROVED,
        [("Lot entrance", 180, 90, ["parking", "street"], 7), ("Pay station", 0, 45, ["parking"], 7)],
    ),
    (
        "Marcus Guidry",
        "",
        "mguidry@example.org",
        "1215 Dauphine St",
        29.962100,
        -90.063300,
        SiteStatus.PENDING_REVIEW,
        [("Porch, above the door", 315, 90, ["sidewalk"], 3)],
    ),
]


def seed_demo_registry() -> int:
    """Create the demo registrations once (by e-mail); returns how many sites were created."""
    created = 0
    now = timezone.now()
    for owner, business, email, address, lat, lon, status, cameras in SITES:
        if RegisteredSite.objects.filter(email=email).exists():
            continue
        site = RegisteredSite.objects.create(
            owner_name=owner,
            business_name=business,
            email=email,
            phone="504-555-0100",
            address=address,
            latitude=lat,
            longitude=lon,
            status=status,
            confirmed_at=now,
            last_verified_at=now,
        )
        for placement, bearing, fov, covers, days in cameras:
            RegisteredCamera.objects.create(
                site=site,
                placement=placement,
                latitude=lat,
                longitude=lon,
                bearing=bearing,
                field_of_view=fov,
                covers=covers,
                retention_days=days,
            )
        Consent.objects.create(site=site, terms_version="2026-1")
        created += 1
    return created
