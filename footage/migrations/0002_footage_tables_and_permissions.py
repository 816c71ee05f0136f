"""Give the moved tables this app's names, and move their content types (and so their permissions) along.

Renaming a table keeps its rows and every foreign key that points at it (PostgreSQL follows the
table; SQLite rewrites the references). The content types of the six models are relabelled from
`cameras` to `footage`, so the permissions already granted to groups and users stay granted; if
both exist (a `migrate` that created the new ones early), grants move to the new permissions and
the old content type goes.
"""

from django.db import migrations

MOVED = ["footageclip", "custodyentry", "analysisjob", "clipplate", "clipbookmark", "evidenceexport"]


def relabel_content_types(apps, schema_editor, *, old_label, new_label):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    types = content_type_model.objects.using(db)
    for model in MOVED:
        old = types.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = types.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for permission in permission_model.objects.using(db).filter(content_type=old):
            twin = permission_model.objects.using(db).filter(content_type=new, codename=permission.codename).first()
            if twin is not None:
                for group in permission.group_set.all():
                    group.permissions.add(twin)
                for user in permission.user_set.all():
                    user.user_permissions.add(twin)
        old.delete()


def forward(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old_label="cameras", new_label="footage")


def backward(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old_label="footage", new_label="cameras")


class Migration(migrations.Migration):
    dependencies = [
        ("footage", "0001_initial"),
        ("cameras", "0005_footage_moved_to_footage_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("rtcc", "0002_roles_and_audit_guard"),
    ]

    operations = [
        migrations.AlterModelTable(name="footageclip", table=None),
        migrations.AlterModelTable(name="custodyentry", table=None),
        migrations.AlterModelTable(name="analysisjob", table=None),
        migrations.AlterModelTable(name="clipplate", table=None),
        migrations.AlterModelTable(name="clipbookmark", table=None),
        migrations.AlterModelTable(name="evidenceexport", table=None),
        migrations.RunPython(forward, backward),
    ]
