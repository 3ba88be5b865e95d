"""Pages of the marketplace, one module per object: tasks, needs, consultations."""
