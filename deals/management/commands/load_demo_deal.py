"""Load the NHTC demo deal (``make run``). Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand

from deals.demo import load_demo_deal


class Command(BaseCommand):
    help = "Load the NHTC demo deal: parties, financings, instruments, terms v1, synthetic prices, business date."

    def handle(self, *args, **options):
        result = load_demo_deal()
        created = ", ".join(f"{k} {v}" for k, v in sorted(result["created"].items())) or "nothing"
        updated = ", ".join(f"{k} {v}" for k, v in sorted(result["updated"].items())) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Demo deal loaded. Created: {created}. Updated: {updated}."))
        self.stdout.write(
            f"{len(result['debentures'])} debentures, {len(result['holdings'])} Series J holdings, "
            f"{len(result['warrants'])} warrants, {result['prices']} trading days of prices; "
            f"business date {result['business_date'].isoformat()}."
        )
