"""The taking (接单), one module per object: ``claims`` (with the waiting list and status history),
``reviews``, ``contracts`` (bids, their scores, contracts and milestones) and ``corrections``
(certificates are in ``records``). Every model is importable from ``orders.models``.
"""

from orders.models.claims import HOURS_GAP_MINIMUM, HOURS_GAP_SHARE, Claim, ClaimStatusChange, ConfirmationAnswer, ConfirmationMethod, WaitlistEntry
from orders.models.contracts import Bid, BidScore, Contract, ContractTask, Milestone
from orders.models.corrections import ClaimCorrection
from orders.models.reviews import Review

__all__ = [
    "ConfirmationMethod",
    "HOURS_GAP_MINIMUM",
    "HOURS_GAP_SHARE",
    "ConfirmationAnswer",
    "Claim",
    "WaitlistEntry",
    "ClaimStatusChange",
    "Review",
    "Bid",
    "BidScore",
    "Contract",
    "ContractTask",
    "Milestone",
    "ClaimCorrection",
]
