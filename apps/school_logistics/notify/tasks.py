"""Periodic jobs of the notify app, run by the scheduler process."""

from school_logistics.notify.services import retry_pending

PERIODIC_JOBS = [(retry_pending, 5)]
