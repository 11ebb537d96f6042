from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    """The admin (``nhtc.admin.BackOfficeAdminSite``); also the project's one app config, so it
    connects the project-level signal receivers (``nhtc.security``)."""

    default_site = "nhtc.admin.BackOfficeAdminSite"

    def ready(self):
        super().ready()
        from nhtc import security  # noqa: F401  (connects the sign-in receiver)
