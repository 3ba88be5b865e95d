"""The orders API, one module per object: ``claims``, ``reviews`` (with reputations), ``corrections``,
``tasks`` (cancel, waitlist), ``projects`` with their bids and contracts (records and certificates are
in ``records.api``). ``config.api`` mounts each module's router; the modules split out of ``claims``
keep its operation ids."""
