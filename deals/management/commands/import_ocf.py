"""manage.py import_ocf IN.zip --user NAME: recreate the deal from an OCF package (empty database only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from deals.services.conversions import WorkflowError
from deals.services.ocf import ocf_import


class Command(BaseCommand):
    help = "Import an OCF 1.2.0 package into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="Username recorded as the author of the imported records.")

    def handle(self, *args, path, user, **options):
        try:
            author = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {user!r}.")
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            counts = ocf_import(archive=data, user=author)
        except WorkflowError as err:
            raise CommandError(err.message)
        self.stdout.write("Imported: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
