from tests.sso.fixtures import browser_for, oidc_provider, sso  # noqa: F401
