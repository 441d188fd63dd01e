import pytest


@pytest.fixture(autouse=True)
def _working_hours_all_week(always_working_hours):
    """Rankings here are about evidence; availability tests set business hours themselves."""
