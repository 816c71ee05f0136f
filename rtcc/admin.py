"""Django admin, for superusers alone: supervisors manage their center in the app (`rtcc.manage`).

The default site is narrowed in place (not replaced), so every app's `admin.register` keeps working and
a site class another module installs (a second-factor check) keeps its own rule as well.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditRecord, Event, User

# Who may grant rights: these fields are never editable by anyone but a superuser.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class SuperusersOnly:
    """An admin site that answers superusers alone, whatever a staff flag or model permission says."""

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_superuser


if not isinstance(admin.site, SuperusersOnly):
    admin.site.__class__ = type("SuperuserAdminSite", (SuperusersOnly, admin.site.__class__), {})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "roles", "agency", "is_active", "last_login"]
    list_filter = ["groups", "agency", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (("RTCC", {"fields": ("agency", "phone")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("RTCC", {"fields": ("groups", "agency")}),)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency").prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + PRIVILEGE_FIELDS

    # Accounts (and their passwords) are changed here by superusers alone; supervisors use /manage/.
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: viewable, never added, changed or deleted through admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "reason", "client_address"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["actor_username", "action", "object_repr", "reason", "object_id"]
    date_hierarchy = "at"
    actions = None


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "group", "kind", "severity", "summary"]
    list_filter = ["group", "kind", "severity"]
    search_fields = ["summary", "kind"]
    actions = None
