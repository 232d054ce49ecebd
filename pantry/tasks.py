"""Background jobs of the pantry (run by the django-q2 worker)."""

from pantry import stockfigures

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("pantry.mend_stock_figures", "pantry.tasks.mend_stock_figures", 24 * 60),
]


def mend_stock_figures() -> int:
    """Once a day: the sites whose stock figures differ from their lots (none, unless
    a move was made around the ledger) get them made again, with a warning."""
    return stockfigures.mend()
