"""A record's outcome and the one place it maps to a counter.

Two counts read records by status: a run's running count (``runner.BatchStats``, which
the Ray driver's ``ray_report.RunReport`` extends) and the count of what a Ray OUTDIR
already holds (``ray_ids.Finished``). They inherit this class so that they cannot disagree
on what counts as what.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STATUS_FAILED", "STATUS_PARTIAL", "StatusTally"]

STATUS_FAILED = "failed"
STATUS_PARTIAL = "partial"


@dataclass
class StatusTally:
    """Records counted by outcome: failed, partial, and anything else complete."""

    complete: int = 0
    partial: int = 0
    failed: int = 0

    def tally(self, status: object) -> None:
        """Count one record of ``status``."""
        if status == STATUS_FAILED:
            self.failed += 1
        elif status == STATUS_PARTIAL:
            self.partial += 1
        else:
            self.complete += 1
