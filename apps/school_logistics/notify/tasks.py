"""Periodic jobs of the notify app, run by the scheduler process."""

from school_logistics.notify.reminders import remind_due_dates
from school_logistics.notify.services import retry_pending

# Dates are reminded hourly: one comes within reach at midnight, and each is reminded once.
PERIODIC_JOBS = [(retry_pending, 5), (remind_due_dates, 60)]
