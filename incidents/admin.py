from django.contrib import admin, messages
from django.utils import timezone

from .choices import DeliveryStatus
from .models import (
    Acknowledgement,
    Agency,
    Delivery,
    Dispatch,
    Incident,
    IncidentType,
    IntakeSource,
    TimelineEvent,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "contact_email", "ack_timeout_seconds", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"short_name": ["name"]}


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cap_category", "default_priority", "active"]
    list_filter = ["cap_category", "active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ["at", "kind", "text", "actor"]
    readonly_fields = ["at", "actor"]
    can_delete = False


class DispatchInline(admin.TabularInline):
    model = Dispatch
    extra = 0
    fields = ["agency", "dispatched_at", "dispatched_by", "acknowledged_at", "escalated_at", "escalation_count"]
    readonly_fields = ["dispatched_at", "dispatched_by", "acknowledged_at", "escalated_at", "escalation_count"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "incident_type", "priority", "status", "source", "cad_number", "created_at"]
    list_filter = ["status", "priority", "incident_type", "source"]
    search_fields = ["title", "address", "cad_number", "source_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at", "updated_at", "closed_at", "revision", "intake_source"]
    inlines = [DispatchInline, TimelineInline]
    list_select_related = ["incident_type"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["at", "incident", "kind", "actor", "text"]
    list_filter = ["kind"]
    search_fields = ["text", "incident__title"]
    list_select_related = ["incident", "actor"]


class AcknowledgementInline(admin.TabularInline):
    model = Acknowledgement
    extra = 0
    readonly_fields = ["user", "at"]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = [
        "incident",
        "agency",
        "dispatched_at",
        "dispatched_by",
        "acknowledged_at",
        "escalated_at",
        "escalation_count",
    ]
    list_filter = ["agency"]
    search_fields = ["incident__title"]
    inlines = [AcknowledgementInline]
    list_select_related = ["incident", "agency", "dispatched_by"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["dispatch", "user", "at"]
    search_fields = ["user__username", "dispatch__incident__title"]
    list_select_related = ["dispatch__incident", "dispatch__agency", "user"]


@admin.register(IntakeSource)
class IntakeSourceAdmin(admin.ModelAdmin):
    """Systems that post events to the intake API. The key is shown once, when the source is saved new."""

    list_display = ["name", "kind", "key_prefix", "active", "last_used_at", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if key:
            self._show_key(request, obj, key)

    def _show_key(self, request, obj, key):
        endpoint = "/api/v1/intake/gunshot/" if obj.kind == "gunshot" else "/api/v1/intake/cad/"
        messages.warning(
            request,
            f"Key for {obj.name} (shown only now, copy it): {key} – send it as 'Authorization: Intake {key}' "
            f"to POST {endpoint}",
        )

    @admin.action(description="Issue a new key (the old one stops working)")
    def issue_new_key(self, request, queryset):
        for source in queryset:
            key = source.new_key()
            source.save(update_fields=["key_prefix", "key_hash"])
            self._show_key(request, source, key)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The agency notification outbox: what was sent where, and whether it arrived."""

    list_display = ["created_at", "incident", "agency", "channel", "kind", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "agency"]
    search_fields = ["incident__title", "agency__short_name", "last_error"]
    list_select_related = ["incident", "agency"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now")
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=DeliveryStatus.DELIVERED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), claimed_until=None
        )
        messages.info(request, f"{count} deliveries will be sent again within seconds.")
