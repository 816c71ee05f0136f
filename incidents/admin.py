from django.contrib import admin

from .models import Acknowledgement, Agency, Dispatch, Incident, IncidentType, TimelineEvent


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
    fields = ["agency", "dispatched_at", "dispatched_by", "escalated_at"]
    readonly_fields = ["dispatched_at", "dispatched_by", "escalated_at"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "incident_type", "priority", "status", "source", "cad_number", "created_at"]
    list_filter = ["status", "priority", "incident_type", "source"]
    search_fields = ["title", "address", "cad_number", "source_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at", "updated_at", "closed_at"]
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
    list_display = ["incident", "agency", "dispatched_at", "dispatched_by", "escalated_at", "escalation_count"]
    list_filter = ["agency"]
    search_fields = ["incident__title"]
    inlines = [AcknowledgementInline]
    list_select_related = ["incident", "agency", "dispatched_by"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["dispatch", "user", "at"]
    search_fields = ["user__username", "dispatch__incident__title"]
    list_select_related = ["dispatch__incident", "dispatch__agency", "user"]
