from django.contrib import admin, messages

from rtcc.admin import ReadOnlyAdmin

from .models import AnalysisJob, Camera, CameraStatusEvent, CustodyEntry, DeviceToken, EvidenceExport, FootageClip


class CameraStatusEventInline(admin.TabularInline):
    model = CameraStatusEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "reason", "at"]
    ordering = ["-at"]
    max_num = 0


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "last_frame_at", "measured_fps", "plate_reading", "enabled", "address"]
    list_filter = ["kind", "status", "enabled", "plate_reading"]
    search_fields = ["name", "address"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "last_frame_at",
        "measured_fps",
        "created_at",
        "updated_at",
    ]
    inlines = [CameraStatusEventInline]
    actions = ["test_streams"]

    @admin.action(description="Test the selected cameras' streams now")
    def test_streams(self, request, queryset):
        from .views import messages_for

        for camera in queryset[:20]:
            messages_for(request, camera)


@admin.register(CameraStatusEvent)
class CameraStatusEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "camera", "status", "reason"]
    list_filter = ["status", "at"]
    search_fields = ["camera__name", "reason"]
    list_select_related = ["camera"]


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ["key_prefix", "camera", "label", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["camera__name", "label", "key_prefix"]
    fields = ["camera", "label", "revoked_at"]
    list_select_related = ["camera"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = DeviceToken.issue(camera=obj.camera, label=obj.label)
        obj.pk = token.pk
        self.message_user(
            request, f"Device key for {obj.camera} (shown once, copy it now): {key}", level=messages.WARNING
        )


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
