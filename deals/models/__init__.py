"""Deal data model. Fields, choices, constraints and trivial properties only;
contract math lives in ``deals.terms``, workflows in ``deals.services``."""

from .api import ApiToken, IdempotencyRecord
from .approvals import Approval, ApprovalConsent, ApprovalKind, ApprovalStatus
from .cap import StockholderMeeting
from .closing import ClosingCondition, ClosingRoom, ConditionStatus, EscrowDeposit, Subscription
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
    ExcusedDelay,
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
from .transfers import (
    DebentureRegisterEntry,
    LegendRemoval,
    SaleEvent,
    SalePrepayment,
    SecurityKind,
    Transfer,
    TransferAgentInstruction,
)

__all__ = [
    "AccountStatement",
    "Approval",
    "ApprovalConsent",
    "ApprovalKind",
    "ApprovalStatus",
    "ApiToken",
    "IdempotencyRecord",
    "AddressChange",
    "BusinessDate",
    "BuyIn",
    "CapRemedy",
    "ClosingCondition",
    "ClosingRoom",
    "ConditionStatus",
    "Conversion",
    "ConversionStatus",
    "DealTermsVersion",
    "Debenture",
    "DebentureRegisterEntry",
    "EscrowDeposit",
    "EventOfDefault",
    "Financing",
    "IndemnificationClaim",
    "InstrumentStatus",
    "InterestElection",
    "Investor",
    "Issuer",
    "LegendRemoval",
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
    "SaleEvent",
    "SalePrepayment",
    "SecurityKind",
    "ExcusedDelay",
    "ShareSale",
    "StockholderMeeting",
    "Subscription",
    "SuspensionPeriod",
    "SweepRun",
    "Transfer",
    "TransferAgentInstruction",
    "Warrant",
    "WarrantExercise",
]
