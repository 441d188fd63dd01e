"""The `api` fixture of the connector tests: a network's API on loopback (FakeAPI, a real HTTP
server answering the routes a test gives it), fresh for each test. A test module imports it
(`from tests.connectors.network import network_api`); it is not in conftest.py because the
suite's own `api` fixture (a client with an API token) has that name everywhere else."""

import pytest

from unsilo.connectors.testing.fakeapi import FakeAPI


@pytest.fixture(name="api")
def network_api():
    server = FakeAPI()
    yield server
    server.close()
