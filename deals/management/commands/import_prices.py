"""Import market prices from a CSV file, all or nothing (``deals.services.prices``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deals.services.prices import prices_import


class Command(BaseCommand):
    help = (
        "Import closing bids/prices from CSV (header date,closing_bid,closing_price,source). Every row is checked; "
        "if any is wrong nothing is imported and each problem is listed with its row number."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file path")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--replace", action="store_true", help="Overwrite dates already stored with other figures.")

    def handle(self, *args, file, dry_run=False, replace=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = prices_import(file_name=path.name, content=path.read_bytes(), dry_run=dry_run, replace=replace)
        for e in result.errors:
            self.stderr.write(f"row {e.row}{f' [{e.column}]' if e.column else ''}: {e.message}")
        for w in result.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {w}"))
        if not result.ok:
            raise CommandError(result.summary())
        if result.held and not dry_run:
            # issue 12: dates a recorded conversion used change only through a deal admin's request and a
            # second deal admin's approval (the admin's import page or the API), never from a shell
            raise CommandError(result.summary() + " Upload the file on the admin's price import page to ask for it.")
        self.stdout.write(self.style.SUCCESS(result.summary()))
