from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _refresh_groups(sender, **kwargs):
    from deals.services.roles import ensure_groups

    ensure_groups()


class DealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        # Permissions for models added after 0002_fill_groups reach the groups too.
        post_migrate.connect(_refresh_groups, sender=self, dispatch_uid="deals_refresh_groups")
        # notices asks deals' role checks through a registry (notices never imports deals).
        from deals.services import roles
        from notices.roles import register_roles

        register_roles(roles)
