"""What a Ray run did: its counters, and the spend read back from the records it wrote.

Kept apart from ``ray_data`` because none of it needs Ray: the driver counts each record
as it writes it, and the workers' clients, which know what was spent, are out of its reach.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.batch.ray_ids import Finished
from summarizer.batch.runner import BatchStats
from summarizer.core.errors import SummarizerError

__all__ = ["RunReport", "add_cost", "user_error"]


@dataclass
class RunReport(BatchStats):
    """What a Ray run did, as the local batch counts it, and what OUTDIR holds at its end.

    A ``BatchStats``, so the progress bar, the summary line and the exit code read a Ray
    run exactly as they read a local one; the fields added here are what only a run
    against OUTDIR knows.
    """

    identical_lines: int = 0
    repeats_removed: int = 0
    final: Finished | None = None

    def count(self, record: Mapping[str, Any], *, costed: bool = True) -> None:
        """Count one written record; ``costed`` adds its result's spend to ``cost_usd``.

        ``cost_usd`` is the sum of each result's ``usage.cost_usd`` (``None`` once one is
        unknown, e.g. a model without a price).
        """
        self.tally(record.get("status"))
        if costed:  # the built-in extractor costs nothing: spare parsing every result
            self.cost_usd = add_cost(self.cost_usd, record.get("result"))


def add_cost(total: float | None, result: Any) -> float | None:
    """``total`` plus one result's ``usage.cost_usd``; unknown (``None``) stays unknown.

    The workers' clients are out of reach of the driver, so the spend is read back from
    the records themselves; a failure record carries no result, so calls spent on a
    cluster that failed as a whole are not in the sum.
    """
    if total is None or not isinstance(result, str):
        return total
    usage = json.loads(result).get("usage") or {}
    cost = usage.get("cost_usd", 0.0)
    return None if cost is None else total + float(cost)


def user_error(error: BaseException) -> SummarizerError | None:
    """The ``ConfigError``/``BadInputError`` inside Ray's wrapping of a worker failure."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, SummarizerError):
            return seen
        cause = getattr(seen, "cause", None)
        if isinstance(cause, SummarizerError):
            return cause
        seen = seen.__cause__ or seen.__context__
    return None
