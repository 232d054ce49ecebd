"""Batch jobs run item by item: one item's trouble holds up no other."""

import logging

import pytest

from commonpot import jobs
from commonpot.models import Site
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_job_counts_what_went_through_and_what_failed_and_keeps_going():
    def work(n: int) -> int:
        if n == 2:
            raise ValueError("two is broken")
        return n * 10

    result = jobs.run_each("tens", [1, 2, 3], work)
    assert (result.done, result.failed) == (2, 1)
    assert result.failed_items == ["2"]
    assert result.results == [10, 30]
    assert result.summary() == "tens: 2 done, 1 failed (2)"


def test_a_failing_items_writes_are_rolled_back_and_the_others_are_kept():
    sites = [SiteFactory(name=f"Kitchen {n}", slug=f"kitchen-{n}") for n in range(3)]

    def rename(site: Site) -> None:
        Site.objects.filter(pk=site.pk).update(name=f"{site.name} (checked)")
        if site.slug == "kitchen-1":
            raise RuntimeError("halfway through")

    result = jobs.run_each("rename", sites, rename, describe=lambda s: f"site {s.slug}")
    names = dict(Site.objects.filter(pk__in=[s.pk for s in sites]).values_list("slug", "name"))
    assert names == {
        "kitchen-0": "Kitchen 0 (checked)",
        "kitchen-1": "Kitchen 1",
        "kitchen-2": "Kitchen 2 (checked)",
    }
    assert result.failed_items == ["site kitchen-1"]


def test_a_failure_is_logged_with_the_item_named_and_its_traceback(caplog):
    def work(n: int) -> None:
        raise KeyError(n)

    with caplog.at_level(logging.ERROR, logger="commonpot.jobs"):
        result = jobs.run_each("lookups", [7], work, describe=lambda n: f"row {n}")
    assert result.failed == 1 and result.done == 0
    failure = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert "lookups: row 7 failed" in failure.getMessage()
    assert failure.exc_info is not None


def test_work_that_keeps_its_own_transactions_is_still_counted_one_item_at_a_time():
    seen = []

    def work(n: int) -> int:
        seen.append(n)
        if n == 1:
            raise RuntimeError("no")
        return n

    result = jobs.run_each("own", [1, 2], work, in_transaction=False)
    assert seen == [1, 2]
    assert (result.done, result.failed, result.results) == (1, 1, [2])


def test_an_empty_job_does_nothing_and_says_so():
    result = jobs.run_each("nothing", [], lambda n: n)
    assert (result.done, result.failed, result.failed_items) == (0, 0, [])


def test_an_item_that_breaks_a_database_constraint_does_not_poison_the_items_after_it():
    SiteFactory(slug="taken")

    def add_site(slug: str) -> None:
        SiteFactory(name=f"New {slug}", slug=slug)

    result = jobs.run_each("add sites", ["taken", "free"], add_site)
    assert (result.done, result.failed) == (1, 1)
    # On PostgreSQL a failed statement aborts the whole transaction; the item's
    # own savepoint is what lets the next item write.
    assert Site.objects.filter(slug="free").exists()
    assert Site.objects.filter(slug="taken").count() == 1
