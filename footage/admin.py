"""Admin for the footage library: evidence is viewable with its chain of custody, never edited here."""

from django.contrib import admin

from rtcc.admin import ReadOnlyAdmin

from .models import AnalysisJob, CustodyEntry, EvidenceExport, FootageClip


class CustodyEntryInline(admin.TabularInline):
    model = CustodyEntry
    extra = 0
    can_delete = False
    max_num = 0
    fields = readonly_fields = ["at", "action", "actor_label", "detail", "sha256", "client_address"]


@admin.register(FootageClip)
class FootageClipAdmin(ReadOnlyAdmin):
    """Evidence: viewable with its chain of custody; written only through the footage library's intake."""

    list_display = ["title", "source", "camera", "incident", "started_at", "duration_seconds", "size_bytes", "sha256"]
    list_filter = ["source", "created_at"]
    search_fields = ["title", "original_name", "sha256", "camera__name"]
    list_select_related = ["camera", "incident"]
    inlines = [CustodyEntryInline]


@admin.register(CustodyEntry)
class CustodyEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "clip", "action", "actor_label", "sha256"]
    list_filter = ["action", "at"]
    search_fields = ["actor_label", "detail", "sha256"]
    list_select_related = ["clip"]


@admin.register(AnalysisJob)
class AnalysisJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "clip", "kind", "status", "progress", "message", "created_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["clip", "created_by"]


@admin.register(EvidenceExport)
class EvidenceExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "clip", "reason", "created_by", "size_bytes", "sha256"]
    search_fields = ["reason", "sha256"]
    list_select_related = ["clip", "created_by"]
