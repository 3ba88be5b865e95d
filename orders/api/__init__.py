"""The orders API, one module per domain: claims and reviews (with volunteer records), and
projects with their bids and contracts. ``config.api`` mounts each module's router."""
