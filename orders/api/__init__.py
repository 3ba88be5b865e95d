"""The orders API, one module per object: ``claims``, ``reviews`` (with reputations), ``records``,
``corrections``, ``tasks`` (cancel, waitlist), ``projects`` with their bids and contracts, ``certificates``.
``config.api`` mounts each module's router; the modules split out of ``claims`` keep its operation ids."""
