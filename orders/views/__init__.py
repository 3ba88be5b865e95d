"""Pages of orders, one module per domain: claims (and the task page where they happen), projects
with their bids and contracts, and the records of what people and organisations delivered."""
