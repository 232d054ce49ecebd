"""Running a batch job item by item: the one loop every scheduled job goes through.

A scheduled job (rolling rotas forward, closing lapsed offers, retrying the
outbox) works on many rows that have nothing to do with each other: one site's
rota, another site's offer. A row that cannot be handled — bad data, a bug, a
constraint it breaks — must not stop the job, or one site's trouble holds up
every other site until someone notices. So each item runs in its own
transaction (a savepoint when the caller already holds one), a failure rolls
back that item's writes only, is logged with the item named and the traceback,
and the job goes on to the next. The result counts both, so a task's return
value (which django-q2 keeps) shows that something failed.

    result = jobs.run_each("roll rotas forward", rota_ids, lambda pk: ..., describe=...)
    result.done, result.failed, result.failed_items, result.results
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Value = TypeVar("Value")


@dataclass
class JobResult(Generic[Value]):
    """What a run did: how many items went through, which did not, and their values."""

    name: str
    done: int = 0
    failed: int = 0
    failed_items: list[str] = field(default_factory=list)
    # What the work returned for each item that went through, in order.
    results: list[Value] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.name}: {self.done} done, {self.failed} failed"
        if self.failed_items:
            text += f" ({', '.join(self.failed_items)})"
        return text


def run_each(
    name: str,
    items: Iterable[Item],
    work: Callable[[Item], Value],
    *,
    describe: Callable[[Item], str] = repr,
    in_transaction: bool = True,
) -> JobResult[Value]:
    """Call `work(item)` for each item; one item's failure never stops the others.

    Each call runs in its own `transaction.atomic()`, so what a failing item
    wrote is rolled back and what the others wrote is kept. Work that must
    commit in steps of its own (the outbox commits its claim on a message
    before it talks to the mail server) passes `in_transaction=False` and
    keeps its own transactions; it is still run, logged and counted one item
    at a time. `describe` names an item in the log ("rota 12").
    """
    result: JobResult[Value] = JobResult(name)
    for item in items:
        try:
            if in_transaction:
                with transaction.atomic():
                    value = work(item)
            else:
                value = work(item)
        except Exception:
            label = describe(item)
            log.exception("%s: %s failed; going on with the rest", name, label)
            result.failed += 1
            result.failed_items.append(label)
        else:
            result.done += 1
            result.results.append(value)
    if result.failed:
        log.warning("%s", result.summary())
    return result
