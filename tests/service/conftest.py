"""Fixtures for service tests: the repair fixtures, for reviews that count repairs."""

from tests.repairs.conftest import classroom, items  # noqa: F401  (fixtures)
