from django.db import migrations


def fill_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from deals.services.roles import ensure_groups

    # Permissions are normally created after all migrations (post_migrate);
    # create them now so the groups can be given theirs.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(fill_groups, migrations.RunPython.noop)]
