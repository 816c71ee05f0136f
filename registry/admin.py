from django.contrib import admin

from rtcc import audit

from .models import Consent, FootageRequest, RegisteredCamera, RegisteredSite


class RegisteredCameraInline(admin.StackedInline):
    model = RegisteredCamera
    extra = 0


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["terms_version", "accepted_at", "client_address", "shares_live_feed", "withdrawn_at"]
    can_delete = False


@admin.register(RegisteredSite)
class RegisteredSiteAdmin(admin.ModelAdmin):
    # Owners' names, e-mails and phones stay off the list; opening one site shows them, and is audited.
    list_display = [
        "address",
        "business_name",
        "status",
        "confirmed_at",
        "last_verified_at",
        "created_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["address", "business_name"]
    readonly_fields = ["confirmed_at", "reviewed_by", "reviewed_at", "created_at", "updated_at"]
    exclude = ["link_nonce"]
    inlines = [RegisteredCameraInline, ConsentInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            audit.record(
                actor=request.user,
                action="registry.owner_viewed",
                object_type="registry.registeredsite",
                object_id=object_id,
                request=request,
                details={"page": "admin"},
            )
        return response


@admin.register(RegisteredCamera)
class RegisteredCameraAdmin(admin.ModelAdmin):
    list_display = ["placement", "site", "bearing", "field_of_view", "retention_days", "shares_live_feed", "camera"]
    list_filter = ["shares_live_feed"]
    search_fields = ["placement", "site__address"]
    list_select_related = ["site", "camera"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["site", "terms_version", "accepted_at", "shares_live_feed", "withdrawn_at"]
    list_filter = ["terms_version"]
    readonly_fields = ["site", "terms_version", "accepted_at", "client_address", "shares_live_feed"]
    list_select_related = ["site"]

    def has_add_permission(self, request):
        return False


@admin.register(FootageRequest)
class FootageRequestAdmin(admin.ModelAdmin):
    list_display = ["incident", "registered_camera", "window_start", "window_end", "status", "deadline", "requested_by"]
    list_filter = ["status"]
    search_fields = ["incident__title", "registered_camera__placement"]
    list_select_related = ["incident", "registered_camera__site", "requested_by"]
