"""Notifications are tested on real approval runs: reuse the workflow fixtures."""

from tests.workflow.conftest import item  # noqa: F401  (fixture)
