"""Create the role groups with their permissions, and make the audit log append-only in PostgreSQL.

The trigger refuses UPDATE and DELETE; TRUNCATE stays possible for a database owner (and the
test suite's flush), as it needs table-owner rights the application role should not hold.
"""

from django.db import migrations

AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION rtcc_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rtcc_auditrecord is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS rtcc_auditrecord_append_only ON rtcc_auditrecord;
CREATE TRIGGER rtcc_auditrecord_append_only
    BEFORE UPDATE OR DELETE ON rtcc_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION rtcc_audit_append_only();
"""

AUDIT_UNGUARD = """
DROP TRIGGER IF EXISTS rtcc_auditrecord_append_only ON rtcc_auditrecord;
DROP FUNCTION IF EXISTS rtcc_audit_append_only();
"""


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from rtcc.roles import sync_groups

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Models added by later migrations have no permissions yet: post_migrate (rtcc/apps.py) grants those.
    sync_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), strict=False)


def guard_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD)


def unguard_audit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_UNGUARD)


class Migration(migrations.Migration):
    dependencies = [
        ("rtcc", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cameras", "0001_initial"),
        ("plates", "0002_initial"),
        ("incidents", "0002_initial"),
        ("registry", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(guard_audit, unguard_audit),
    ]
