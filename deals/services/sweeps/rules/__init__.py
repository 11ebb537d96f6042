"""One module per family of sweep rules; each rule reads its sources in a fixed number of
queries, builds ledger rows and hands them to the ledger writer."""

from deals.services.sweeps.rules.defaults import rule_cap, rule_defaults
from deals.services.sweeps.rules.delivery import rule_original_notice, rule_share_delivery
from deals.services.sweeps.rules.first_refusal import rule_rofr
from deals.services.sweeps.rules.instruments import rule_debentures, rule_warrants
from deals.services.sweeps.rules.periods import rule_period_ends
from deals.services.sweeps.rules.registration import rule_increased_shares, rule_periodic_amounts, rule_suspensions

__all__ = [
    "rule_cap", "rule_debentures", "rule_defaults", "rule_increased_shares", "rule_original_notice", "rule_period_ends",
    "rule_periodic_amounts", "rule_rofr", "rule_share_delivery", "rule_suspensions", "rule_warrants",
]
