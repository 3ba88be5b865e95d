"""Reads for points."""


def person_balance(user) -> int:
    """A person's spendable points. There is no ledger yet (it comes with the points issue), so
    nobody has earned anything: the balance is the sum of no entries."""
    return 0
