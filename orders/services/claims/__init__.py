"""Claims (接单) from sign-up to verified hours, and reviews of the service delivered, one module per
workflow (as zulip's ``zerver/actions/``): ``take`` (take a slot, give it back), ``deliver`` (check in,
check out, submit), ``confirm`` (the beneficiary confirms), ``verify`` (verify, reject, verify many),
``noshow`` (the sweep), ``reviews``, ``corrections`` (hours corrected after verification), sharing the
helpers of ``common`` and the throttled codes of ``codes``. ``task_cancel`` is in ``orders.services.tasks``.

Guarantees:
- never more live claims than slots, never two live claims by one person on one task, and never
  two claims by one person whose times overlap, also under concurrency;
- points for a verified claim are paid exactly once, whatever the retries;
- every claim keeps the history of its status changes;
- a refusal raises an ``ApplicationError`` and writes nothing.

Import from ``orders.services``; this package re-exports the public names of its workflows.
"""

from orders.services.claims.confirm import claim_confirm, confirmation_method_for
from orders.services.claims.corrections import CORRECTION_MARGIN_HOURS, correction_decide, correction_request
from orders.services.claims.deliver import claim_check_in, claim_check_out, claim_submit
from orders.services.claims.noshow import claims_mark_no_shows
from orders.services.claims.reviews import review_check_author, review_community_id, review_create, review_hide
from orders.services.claims.take import claim_create, claim_withdraw, claims_withdraw_for_cancelled_task, claims_withdraw_for_closed_account
from orders.services.claims.verify import claim_reject, claim_verify, claims_verify_many

__all__ = [
    "claim_create",
    "claim_withdraw",
    "claims_withdraw_for_cancelled_task",
    "claims_withdraw_for_closed_account",
    "claim_check_in",
    "claim_check_out",
    "claim_submit",
    "claim_confirm",
    "confirmation_method_for",
    "claim_verify",
    "claims_verify_many",
    "claim_reject",
    "claims_mark_no_shows",
    "review_check_author",
    "review_create",
    "review_hide",
    "review_community_id",
    "CORRECTION_MARGIN_HOURS",
    "correction_decide",
    "correction_request",
]
