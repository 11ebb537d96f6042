"""``manage.py grow_demo --size b`` (or explicit counts): grow the demo deal to a size the
scale benches measure (issue 17). Deterministic with ``--seed``; the ledger is built by the
real deadline sweep. See deals/demo_grow.py for what is synthetic and why."""

from django.core.management.base import BaseCommand, CommandError

from deals.demo_grow import PRESETS, Size, grow_demo


class Command(BaseCommand):
    help = "Grow the demo deal (totals per record type; presets tiny, b, c); ledger built by the real sweep."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(PRESETS), help="Preset: tiny, b (100,000 conversions), c (1,000,000).")
        for name in ("investors", "debentures", "preferred", "conversions", "notices", "exercises"):
            parser.add_argument(f"--{name}", type=int, help=f"Total {name} to reach (overrides the preset).")
        parser.add_argument("--seed", type=int, default=17, help="Random seed (same seed + same start = same rows).")
        parser.add_argument("--no-sweep", action="store_true", help="Skip the sweep (the ledger is then not built).")

    def handle(self, *args, size=None, seed=17, no_sweep=False, **options):
        base = PRESETS[size] if size else PRESETS["tiny"]
        values = {}
        for name in ("investors", "debentures", "preferred", "conversions", "notices", "exercises"):
            v = options.get(name)
            if v is not None and v < 0:
                raise CommandError(f"--{name} must be 0 or more (you gave {v}).")
            values[name] = getattr(base, name) if v is None else v
        result = grow_demo(Size(**values), seed=seed, sweep=not no_sweep, log=self.stdout.write)
        counts = ", ".join(f"{k} {v:,}" for k, v in result["counts"].items())
        times = ", ".join(f"{k} {v:.1f}s" for k, v in result["timings"].items())
        self.stdout.write(self.style.SUCCESS(f"Demo grown: {counts}."))
        self.stdout.write(f"Timings: {times}.")
        run = result["sweep"]
        if run is not None:
            self.stdout.write(f"Sweep as of {run.as_of.isoformat()}: {run.status}.")
            if run.errors:
                raise CommandError("The sweep reported errors: " + "; ".join(f"{e['rule']}: {e['error']}" for e in run.errors))
