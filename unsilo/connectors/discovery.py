"""Unregistered accounts: handles in ingested traffic that use the company's names or brand
terms but are not in the registry (built by the accounts helper)."""


def scan() -> int:
    return 0
