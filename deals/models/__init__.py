"""Deal data model. Fields, choices, constraints and trivial properties only;
contract math lives in ``deals.terms``, workflows in ``deals.services``."""

from .company import (
    AddressChange,
    EventOfDefault,
    IndemnificationClaim,
    NewTransactionOffer,
    OfferResponse,
    OutboundNotice,
    PriceProtectionAdjustment,
)
from .financing import Financing
from .instruments import Debenture, InstrumentStatus, PreferredHolding, Warrant
from .market import MarketPrice, PriceImport
from .obligations import Obligation, ObligationKind, ObligationStatus, SweepRun
from .parties import Investor, Issuer
from .records import (
    BuyIn,
    CapRemedy,
    Conversion,
    ConversionStatus,
    InterestElection,
    NoticeMethod,
    Redemption,
    RedemptionStatus,
    WarrantExercise,
)
from .registration import (
    LiquidatedDamagesStatement,
    PeriodicAmountPayment,
    RegistrationAmendment,
    RegistrationStatement,
    ShareSale,
    SuspensionPeriod,
)
from .settings import BusinessDate
from .settlements import AccountStatement, Settlement, SettlementKind, SettlementMethod
from .terms import DealTermsVersion

__all__ = [
    "AccountStatement",
    "AddressChange",
    "BusinessDate",
    "BuyIn",
    "CapRemedy",
    "Conversion",
    "ConversionStatus",
    "DealTermsVersion",
    "Debenture",
    "EventOfDefault",
    "Financing",
    "IndemnificationClaim",
    "InstrumentStatus",
    "InterestElection",
    "Investor",
    "Issuer",
    "LiquidatedDamagesStatement",
    "MarketPrice",
    "NewTransactionOffer",
    "NoticeMethod",
    "Obligation",
    "ObligationKind",
    "ObligationStatus",
    "OfferResponse",
    "OutboundNotice",
    "PeriodicAmountPayment",
    "PreferredHolding",
    "PriceImport",
    "PriceProtectionAdjustment",
    "Redemption",
    "RedemptionStatus",
    "RegistrationAmendment",
    "RegistrationStatement",
    "Settlement",
    "SettlementKind",
    "SettlementMethod",
    "ShareSale",
    "SuspensionPeriod",
    "SweepRun",
    "Warrant",
    "WarrantExercise",
]
