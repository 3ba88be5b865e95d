"""Services of points, one module per domain: the ledger (accounts, postings, budgets, awards,
transfers, rules) and the points supermarket (rewards and redemptions).

Import from here (``from points.services import points_award``); the split is only for size.
"""

from points.services.ledger import *  # noqa: F401,F403
from points.services.supermarket import *  # noqa: F401,F403
