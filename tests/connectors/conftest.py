import pytest

from unsilo.connectors.testing.pds import SETUP_HINT, LocalPDS


@pytest.fixture(scope="session")
def pds():
    """The reference Bluesky server on loopback, one per test process (and xdist worker)."""
    # Fail rather than skip: CI must never pass by quietly leaving the Bluesky tests out.
    if not LocalPDS.available():
        pytest.fail(SETUP_HINT, pytrace=False)
    with LocalPDS() as server:
        yield server
