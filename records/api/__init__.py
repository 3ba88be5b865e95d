"""The records API, one module per object: ``records`` (a volunteer's record) and ``certificates``.
``config.api`` mounts each module's router; both keep the operation ids they had in ``orders``."""
