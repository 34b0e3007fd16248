"""SLA deadlines counted in working hours: Monday to Friday, 08:00–17:00 school time."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DAY_START = dt.time(8, 0)
DAY_END = dt.time(17, 0)
WORKDAYS = {0, 1, 2, 3, 4}


def add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """Return the moment `hours` working hours after `start` (aware; computed in school time)."""
    local = timezone.localtime(start)
    remaining = dt.timedelta(hours=hours)
    while True:
        day_start = local.replace(
            hour=DAY_START.hour, minute=DAY_START.minute, second=0, microsecond=0
        )
        day_end = local.replace(hour=DAY_END.hour, minute=DAY_END.minute, second=0, microsecond=0)
        if local.weekday() in WORKDAYS and local < day_end:
            begin = max(local, day_start)
            available = day_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        following = (local + dt.timedelta(days=1)).date()
        local = timezone.make_aware(dt.datetime.combine(following, DAY_START))
