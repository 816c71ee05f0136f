from django.contrib import admin, messages

from rtcc.admin import ReadOnlyAdmin

from .models import Camera, CameraStatusEvent, DeviceToken
from .views import messages_for


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
