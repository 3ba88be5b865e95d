"""Models arrive with the points issue (the ledger); see docs/architecture.md."""
