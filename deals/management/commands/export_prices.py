"""Export market prices to CSV in the import format (round-trips with import_prices)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deals.services.prices import prices_export


def _day(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{raw!r} is not a date in YYYY-MM-DD form.") from exc


class Command(BaseCommand):
    help = "Export market prices as CSV (date,closing_bid,closing_price,source), oldest first."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=_day, help="First date (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", type=_day, help="Last date (YYYY-MM-DD).")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, start=None, end=None, output=None, **options):
        text = prices_export(start=start, end=end)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {text.count(chr(10)) - 1} price(s) to {output}.")
        else:
            self.stdout.write(text, ending="")
