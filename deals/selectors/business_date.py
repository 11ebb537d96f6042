"""What moving the business date would set in motion (issue 15 item 10).

The next sweep runs as of the new date; these counts tell a deal admin beforehand, by kind, what
it would act on. Counts only -- the sweep's own rules decide each case.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from deals.models import Debenture, Obligation, Redemption, Warrant
from deals.models.instruments import InstrumentStatus
from deals.models.obligations import ObligationStatus
from deals.models.records import RedemptionStatus


@dataclass(frozen=True)
class SweepPreview:
    from_day: datetime.date
    to_day: datetime.date
    warrants_expiring: int
    redemptions_past_due: int
    debentures_maturing: int
    obligations_falling_due: int

    def lines(self) -> list[str]:
        return [
            f"{self.warrants_expiring:,} warrant(s) past their SPA 4(h) expiry would be marked expired",
            f"{self.redemptions_past_due:,} pending redemption(s) due before {self.to_day.isoformat()} could be voided "
            "if unpaid (Debenture 4(B)(ii))",
            f"{self.debentures_maturing:,} debenture(s) would reach their Maturity Date",
            f"{self.obligations_falling_due:,} open obligation(s) would fall due and show as overdue",
        ]


def sweep_preview(*, from_day: datetime.date, to_day: datetime.date) -> SweepPreview:
    """Four counts (four queries) for a move of the business date from ``from_day`` to ``to_day``."""
    return SweepPreview(
        from_day=from_day,
        to_day=to_day,
        warrants_expiring=Warrant.objects.filter(
            status=InstrumentStatus.OUTSTANDING, shares_remaining__gt=0, expiry_date__lt=to_day).count(),
        redemptions_past_due=Redemption.objects.filter(
            status=RedemptionStatus.PENDING, payment_due_date__lt=to_day).count(),
        debentures_maturing=Debenture.objects.filter(
            status=InstrumentStatus.OUTSTANDING, maturity_date__gt=from_day, maturity_date__lte=to_day).count(),
        obligations_falling_due=Obligation.objects.filter(
            status=ObligationStatus.OPEN, due_date__gte=from_day, due_date__lt=to_day).count(),
    )
