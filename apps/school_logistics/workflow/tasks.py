"""Periodic jobs of the workflow app, run by the scheduler process."""

from school_logistics.workflow.sweep import move_tasks_of_inactive_users, sweep_overdue_tasks

PERIODIC_JOBS = [(sweep_overdue_tasks, 1), (move_tasks_of_inactive_users, 5)]
