"""Pages of orders, one module per object: the task page with its waitlist (``tasks``), ``claims``,
``reviews``, ``corrections``, ``projects`` with their bids and contracts. Records, certificates and the
organisation page are in ``records``."""
