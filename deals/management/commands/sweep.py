"""``manage.py sweep [--as-of DATE] [--catch-up] [--until DATE]``: the deadline
sweep without Celery (the embedded default), same code as the beat tasks."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from deals.services.sweeps import SweepAlreadyRunning, sweep_catch_up, sweep_run


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2000-04-21.")


class Command(BaseCommand):
    help = "Run the deadline sweep (obligations ledger) for one date, or catch up on missed business days."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_date, help="Sweep as of this date (default: the business date).")
        parser.add_argument("--catch-up", action="store_true", help="Sweep every business day missed since the last successful run.")
        parser.add_argument("--until", type=_date, help="With --catch-up: last day to sweep (default: the business date).")

    def handle(self, *args, as_of=None, catch_up=False, until=None, **options):
        if catch_up and as_of:
            raise CommandError("Use either --as-of or --catch-up (with --until), not both.")
        if catch_up:
            from notices.services import notices_requeue_stuck

            requeued = notices_requeue_stuck()
            if requeued.total:
                self.stdout.write(
                    f"Notices queued again: {requeued.waiting} waiting for a worker, {requeued.lost} lost from the queue, "
                    f"{requeued.stale_renders} stale renders."
                )
        try:
            runs = sweep_catch_up(until=until, triggered_by="command") if catch_up else [sweep_run(as_of=as_of, triggered_by="command")]
        except SweepAlreadyRunning as err:
            raise CommandError(str(err))
        if not runs:
            self.stdout.write("Up to date: nothing to sweep.")
        failed = False
        for run in runs:
            rules = run.stats.get("rules", {})
            created = sum(r.get("created", 0) for r in rules.values())
            updated = sum(r.get("updated", 0) for r in rules.values())
            voided = sum(r.get("voided", 0) for r in rules.values())
            self.stdout.write(f"Sweep as of {run.as_of.isoformat()}: {run.status}; {created} created, {updated} updated, {voided} voided")
            for err in run.errors:
                failed = True
                self.stderr.write(f"  rule {err['rule']}: {err['error']}")
        if failed:
            raise CommandError("Some rules failed; the others ran. See the errors above and the Deadlines page.")
