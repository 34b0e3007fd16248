"""The catalogue items a requisition in these tests is made of."""

from tests.core.test_views import items  # noqa: F401
