from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from rtcc.admin import ReadOnlyAdmin

from .models import Hit, Hotlist, HotlistEntry, PlateRead


@admin.register(PlateRead)
class PlateReadAdmin(ReadOnlyAdmin):
    list_display = ["plate", "region", "camera", "read_at", "confidence", "source", "engine", "legal_hold"]
    list_filter = ["source", "legal_hold", "read_at"]
    search_fields = ["plate", "camera__name"]
    date_hierarchy = "read_at"
    list_select_related = ["camera"]
    show_full_result_count = False


@admin.register(Hotlist)
class HotlistAdmin(admin.ModelAdmin):
    """Entries are listed on their own, paginated page: a state list holds hundreds of thousands."""

    list_display = ["name", "source", "priority", "visibility", "owner", "active", "entry_count", "refreshed_at"]
    list_filter = ["source", "priority", "visibility", "active"]
    search_fields = ["name", "description"]
    readonly_fields = ["entries_link", "refreshed_at", "feed_checked_at", "feed_status"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_entries=Count("entries"))

    @admin.display(description="Entries", ordering="_entries")
    def entry_count(self, obj):
        return obj._entries

    @admin.display(description="Entries")
    def entries_link(self, obj):
        if not obj.pk:
            return "Save the list first, then add entries or import a CSV (manage.py import_hotlist)."
        url = reverse("admin:plates_hotlistentry_changelist") + f"?hotlist__id__exact={obj.pk}"
        return format_html('<a href="{}">{} entries →</a>', url, obj.entries.count())


@admin.register(HotlistEntry)
class HotlistEntryAdmin(admin.ModelAdmin):
    list_display = ["plate", "region", "hotlist", "reason", "expires_at"]
    list_filter = ["hotlist", "expires_at"]
    search_fields = ["plate", "reason", "vehicle_description"]
    list_select_related = ["hotlist"]


@admin.register(Hit)
class HitAdmin(admin.ModelAdmin):
    list_display = ["created_at", "plate", "hotlist", "match_kind", "state_mismatch", "status", "reviewed_by"]
    list_filter = ["status", "match_kind", "state_mismatch", "hotlist"]
    search_fields = ["plate_read__plate", "matched_plate"]
    readonly_fields = [
        "plate_read",
        "entry",
        "hotlist",
        "match_kind",
        "matched_plate",
        "matched_region",
        "state_mismatch",
        "matched_alternative",
        "alternative_share",
        "created_at",
    ]
    list_select_related = ["plate_read", "hotlist", "reviewed_by"]

    @admin.display(description="Plate", ordering="plate_read__plate")
    def plate(self, obj):
        return obj.plate_read.plate

    def has_add_permission(self, request):
        return False
