"""Monthly figures for the public-accountability page: reads, hits, confirmed hits and searches."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rtcc.models import AuditRecord

from .choices import HitStatus
from .models import Hit, PlateRead


def _months(count):
    today = timezone.localdate()
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def _by_month(queryset, field, n=None):
    rows = queryset.annotate(month=TruncMonth(field)).values("month").annotate(n=n or Count("id"))
    return {(row["month"].date() if hasattr(row["month"], "date") else row["month"]): row["n"] for row in rows}


def monthly_summary(months=12):
    """[{month, reads, hits, confirmed, searches}] for the last `months` months, oldest first."""
    start = _months(months)[0]
    since = timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time()))
    reads = _by_month(PlateRead.objects.filter(read_at__gte=since), "read_at")
    # Reads that matched a hotlist: a parked car's repeat reads are folded into one hit but each one counts here.
    hits = _by_month(Hit.objects.filter(created_at__gte=since), "created_at", Sum("repeat_count"))
    confirmed = _by_month(Hit.objects.filter(created_at__gte=since, status=HitStatus.CONFIRMED), "created_at")
    searches = _by_month(AuditRecord.objects.filter(at__gte=since, action__in=["plates.search", "plates.export"]), "at")
    rows = [
        {
            "month": m,
            "reads": reads.get(m, 0),
            "hits": hits.get(m, 0),
            "confirmed": confirmed.get(m, 0),
            "searches": searches.get(m, 0),
        }
        for m in _months(months)
    ]
    for key in ("reads", "hits", "confirmed", "searches"):
        top = max((r[key] for r in rows), default=0) or 1
        for r in rows:
            r[f"{key}_pct"] = round(100 * r[key] / top, 1)
    return rows


def searches_per_user(months=12):
    since = timezone.now() - timezone.timedelta(days=31 * months)
    return list(
        AuditRecord.objects.filter(at__gte=since, action__in=["plates.search", "plates.export"])
        .values("actor_username")
        .annotate(searches=Count("id"))
        .order_by("-searches")
    )
