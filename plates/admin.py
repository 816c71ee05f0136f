from django.contrib import admin

from rtcc.admin import ReadOnlyAdmin

from .models import Hit, Hotlist, HotlistEntry, PlateRead


@admin.register(PlateRead)
class PlateReadAdmin(ReadOnlyAdmin):
    list_display = ["plate", "camera", "read_at", "confidence", "source", "engine", "legal_hold"]
    list_filter = ["source", "legal_hold", "read_at"]
    search_fields = ["plate", "camera__name"]
    date_hierarchy = "read_at"
    list_select_related = ["camera"]
    show_full_result_count = False


class HotlistEntryInline(admin.TabularInline):
    model = HotlistEntry
    extra = 0
    fields = ["plate", "region", "reason", "vehicle_description", "expires_at"]
    show_change_link = True


@admin.register(Hotlist)
class HotlistAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "priority", "visibility", "owner", "active", "refreshed_at"]
    list_filter = ["source", "priority", "visibility", "active"]
    search_fields = ["name", "description"]
    inlines = [HotlistEntryInline]


@admin.register(HotlistEntry)
class HotlistEntryAdmin(admin.ModelAdmin):
    list_display = ["plate", "region", "hotlist", "reason", "expires_at"]
    list_filter = ["hotlist", "expires_at"]
    search_fields = ["plate", "reason", "vehicle_description"]
    list_select_related = ["hotlist"]


@admin.register(Hit)
class HitAdmin(admin.ModelAdmin):
    list_display = ["created_at", "plate", "hotlist", "match_kind", "status", "reviewed_by"]
    list_filter = ["status", "match_kind", "hotlist"]
    search_fields = ["plate_read__plate", "matched_plate"]
    readonly_fields = ["plate_read", "entry", "hotlist", "match_kind", "matched_plate", "created_at"]
    list_select_related = ["plate_read", "hotlist", "reviewed_by"]

    @admin.display(description="Plate", ordering="plate_read__plate")
    def plate(self, obj):
        return obj.plate_read.plate

    def has_add_permission(self, request):
        return False
