"""manage.py export_ocf OUT.zip [--as-of YYYY-MM-DD]: the OCF 1.2.0 package, validated against
the vendored schemas (exit status 1 and every error listed if it does not validate)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from deals.ocf.export import OcfInvalid, ocf_export


class Command(BaseCommand):
    help = "Write the deal as an Open Cap Table Format (OCF 1.2.0) zip, validated against the OCF JSON Schemas."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Path of the zip to write.")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, out, as_of, **options):
        try:
            data = ocf_export(as_of=as_of)
        except OcfInvalid as err:
            raise CommandError(str(err))
        with open(out, "wb") as fh:
            fh.write(data)
        self.stdout.write(f"Wrote {out} ({len(data):,} bytes); every file validates against OCF 1.2.0.")
