from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    default_site = "nhtc.admin.BackOfficeAdminSite"
