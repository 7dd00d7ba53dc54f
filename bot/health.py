"""The verdict for /healthz: are the background jobs still running?"""

from collections.abc import Mapping
from datetime import datetime, timedelta


def stale_jobs(
    succeeded: Mapping[str, datetime | None],
    every: Mapping[str, float],
    started: datetime,
    now: datetime,
    intervals: float = 3,
) -> list[str]:
    """The jobs whose last success (or, if none yet, the start) is more than `intervals`
    of their period (`every`, seconds) before `now`; sorted. Empty when all is well."""
    stale = []
    for job, period in every.items():
        last = succeeded.get(job) or started
        if now - last > timedelta(seconds=period * intervals):
            stale.append(job)
    return sorted(stale)
