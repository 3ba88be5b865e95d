"""Who wins a participatory budget: a pure function, so its two promises can be tested over
thousands of random cases (tests/budgets/test_winners.py):

- the winners' costs together never pass the amount;
- a project with more votes that still fits when its turn comes is never skipped for one with
  fewer votes: projects are taken in order of votes (most first), each while it still fits.

Ties in votes go to the cheaper project (more money left for the next), then to the one proposed
first. A project with no votes does not win.
"""

from dataclasses import dataclass

WON, NO_ROOM, NO_VOTES = "won", "no_room", "no_votes"


@dataclass(frozen=True)
class Candidate:
    id: int
    votes: int
    cost: int


@dataclass(frozen=True)
class Result:
    id: int
    votes: int
    cost: int
    rank: int
    outcome: str
    left_before: int  # money left when its turn came: why it won or not


def choose_winners(amount: int, candidates: list[Candidate]) -> list[Result]:
    """Every candidate with its rank and outcome, in rank order."""
    ordered = sorted(candidates, key=lambda c: (-c.votes, c.cost, c.id))
    left = amount
    results = []
    for rank, candidate in enumerate(ordered, start=1):
        if candidate.votes <= 0:
            outcome = NO_VOTES
        elif candidate.cost <= left:
            outcome = WON
        else:
            outcome = NO_ROOM
        results.append(Result(candidate.id, candidate.votes, candidate.cost, rank, outcome, left))
        if outcome == WON:
            left -= candidate.cost
    return results
