"""Assisted use (the contract's "Two-party confirmation and assisted use"): service cards, guardians and
assisted registration. ``services`` holds the rules; ``api`` (the ninja router) and ``views`` (the pages)
only parse input and call them. Confirming a service and acting on a resident's behalf are in ``orders``."""
