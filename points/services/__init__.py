"""Services of points, one module per domain: the ledger (accounts, postings, budgets, awards,
transfers, rules), the points supermarket (rewards and redemptions) and points across
communities (alliances and their clearing accounts, 通存通兑).

Import from here (``from points.services import points_award``); the split is only for size.
"""

from points.services.alliances import *  # noqa: F401,F403
from points.services.ledger import *  # noqa: F401,F403
from points.services.supermarket import *  # noqa: F401,F403
