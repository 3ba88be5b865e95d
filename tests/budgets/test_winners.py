"""The count's two promises over many random budgets (hypothesis): the winners never cost more than
the amount, and a project with more votes that fits when its turn comes is never passed over for
one with fewer."""

from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.winners import NO_ROOM, NO_VOTES, WON, Candidate, choose_winners

candidates = st.lists(
    st.builds(Candidate, id=st.integers(1, 10_000), votes=st.integers(0, 60), cost=st.integers(1, 5_000)),
    max_size=25, unique_by=lambda c: c.id,
)


@settings(max_examples=800, deadline=None)
@given(amount=st.integers(1, 20_000), candidates=candidates)
def test_the_winners_never_cost_more_than_the_amount(amount, candidates):
    results = choose_winners(amount, candidates)
    assert sum(r.cost for r in results if r.outcome == WON) <= amount
    assert sorted(r.id for r in results) == sorted(c.id for c in candidates)  # every project is told why


@settings(max_examples=800, deadline=None)
@given(amount=st.integers(1, 20_000), candidates=candidates)
def test_a_project_with_more_votes_that_fits_is_never_skipped_for_one_with_fewer(amount, candidates):
    results = choose_winners(amount, candidates)
    for loser in results:
        if loser.outcome == WON:
            continue
        taken_before = sum(r.cost for r in results if r.outcome == WON and r.rank < loser.rank)
        if loser.outcome == NO_ROOM:
            # It lost only because it did not fit in what the projects with at least as many votes left.
            assert loser.cost > amount - taken_before
        else:
            assert loser.outcome == NO_VOTES and loser.votes == 0
        for winner in results:
            if winner.outcome == WON and winner.votes < loser.votes:
                assert loser.cost > amount - taken_before


def test_ties_go_to_the_cheaper_project_then_the_earlier_one():
    results = choose_winners(100, [Candidate(3, 5, 60), Candidate(1, 5, 60), Candidate(2, 5, 50)])
    assert [(r.id, r.outcome) for r in results] == [(2, WON), (1, NO_ROOM), (3, NO_ROOM)]


def test_a_smaller_project_further_down_still_wins_when_it_fits():
    results = choose_winners(100, [Candidate(1, 30, 80), Candidate(2, 20, 40), Candidate(3, 10, 20)])
    assert {r.id: r.outcome for r in results} == {1: WON, 2: NO_ROOM, 3: WON}
    assert [r.left_before for r in results] == [100, 20, 20]
