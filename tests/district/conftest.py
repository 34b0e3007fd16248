"""The canteen's class roll and the safety tests' dormitory, for the district's figures."""

from tests.canteen.conftest import students  # noqa: F401
from tests.safety.test_inspections import dorm  # noqa: F401
