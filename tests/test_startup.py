"""A server worker's start-up (config/startup.py): what it loads before its first visitor, and the
garbage collector's pauses that every visitor would otherwise meet at random."""

import gc

from django.urls import get_resolver


def test_a_worker_sets_its_start_up_objects_aside_so_a_full_collection_does_not_walk_them():
    """The p99 of the signed-in pages was a full collection walking the worker's start-up objects
    (265 ms on the #35 district; about 15 ms with them set aside, bench/README.md). This holds that
    the served application sets them aside, not the milliseconds."""
    from config.startup import prepare_worker

    gc.unfreeze()
    try:
        prepare_worker()
        frozen = gc.get_freeze_count()
        walked = len(gc.get_objects())  # what a full collection would walk now
    finally:
        gc.freeze()  # the rest of the test run keeps them aside too
    assert "url_patterns" in vars(get_resolver()), "the URLs and views were left to the first visitor"
    assert frozen > 50_000, f"only {frozen} start-up objects were set aside"
    assert walked < frozen / 2, f"a full collection still walks {walked} objects beside the {frozen} set aside"
