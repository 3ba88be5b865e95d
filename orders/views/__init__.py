"""Pages of orders, one module per object: the task page with its waitlist (``tasks``), ``claims``,
``reviews``, ``corrections``, ``records`` (a volunteer's record, the national export, a resident's page),
the organisation page (``organizations``), ``projects`` with their bids and contracts, ``certificates``."""
