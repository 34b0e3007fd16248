"""Periodic jobs of the workflow app, run by the scheduler process."""

from school_logistics.workflow.sweep import sweep_overdue_tasks

PERIODIC_JOBS = [(sweep_overdue_tasks, 1)]
