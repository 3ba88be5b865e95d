"""Services of orders, one module per object: claims (a package, one module per workflow, with
reviews and corrections), cancelling a task, bids and contracts, the lock on a project's terms once bids exist.

Import from here (``from orders.services import claim_create``); the split is only for size.
"""

from orders.services.bid_drafts import *  # noqa: F401,F403
from orders.services.claims import *  # noqa: F401,F403
from orders.services.contracts import *  # noqa: F401,F403
from orders.services.tasks import *  # noqa: F401,F403
from orders.services.terms import *  # noqa: F401,F403
from orders.services.waitlist import *  # noqa: F401,F403
