"""Where unsilo keeps its data, and the checks that stop a bad start-up with one sentence."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one sentence a person can act on."""


def data_dir() -> Path:
    path = Path(os.environ.get("UNSILO_DATA_DIR") or "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


# The names a browser on this machine uses; what `unsilo demo` answers for by default.
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def allowed_hosts() -> list[str]:
    """UNSILO_ALLOWED_HOSTS (comma-separated), else this machine's own names only."""
    given = [h.strip() for h in os.environ.get("UNSILO_ALLOWED_HOSTS", "").split(",")]
    return [h for h in given if h] or list(LOCAL_HOSTS)


def demo_hosts(bind: str) -> list[str]:
    """What `unsilo demo` bound to `bind` answers for: this machine's names and the address it
    binds (a wildcard such as 0.0.0.0 has no one name: only the local ones then)."""
    if bind in ("", "0.0.0.0", "::"):  # noqa: S104 - recognising the wildcard, not binding
        return list(LOCAL_HOSTS)
    return list(dict.fromkeys([*LOCAL_HOSTS, f"[{bind}]" if ":" in bind else bind]))


def check_allowed_hosts() -> None:
    """`unsilo serve` answers only for the host names it is told."""
    given = os.environ.get("UNSILO_ALLOWED_HOSTS", "").strip()
    if not given:
        raise ConfigError(
            "UNSILO_ALLOWED_HOSTS is not set: list the host names people use to reach unsilo, "
            "comma-separated (for example social.example.com), so requests for any other "
            "host are refused."
        )
    if "*" in [h.strip() for h in given.split(",")]:
        raise ConfigError(
            "UNSILO_ALLOWED_HOSTS is *, which answers for any host name: list the names "
            "people use to reach unsilo (a leading dot, .example.com, allows subdomains)."
        )


def local_secret_key(directory: Path) -> str:
    """A per-installation key for the embedded default, kept beside the database."""
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def proxy_count() -> int:
    """UNSILO_PROXY_COUNT: the reverse proxies in front that append to X-Forwarded-For."""
    value = os.environ.get("UNSILO_PROXY_COUNT", "").strip()
    if not value:
        return 1 if os.environ.get("UNSILO_HTTPS") == "1" else 0
    if not value.isdigit():
        raise ConfigError(
            f"UNSILO_PROXY_COUNT is {value!r}: set it to how many reverse proxies stand in "
            "front of unsilo and append to X-Forwarded-For (0 when clients connect directly)."
        )
    return int(value)


def check_production_environment() -> None:
    """`unsilo serve` and `unsilo worker` run on a real database with a real secret."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise ConfigError(
            "DATABASE_URL is not set: point it at PostgreSQL, for example "
            "postgres://unsilo@db.internal:5432/unsilo (or run `unsilo demo` for the "
            "embedded mode)."
        )
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            f"DATABASE_URL has the scheme {scheme or '(none)'!r}: unsilo speaks postgres:// "
            "(or sqlite:// for a single machine)."
        )
    key = os.environ.get("UNSILO_SECRET_KEY", "")
    if len(key) < 32:
        raise ConfigError(
            "UNSILO_SECRET_KEY is missing or shorter than 32 characters: set it to the same "
            "long random value on every machine (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    check_credentials_key()


def check_credentials_key() -> None:
    """The key that encrypts the networks' tokens: set, and a valid Fernet key."""
    from cryptography.fernet import Fernet

    key = os.environ.get("UNSILO_CREDENTIALS_KEY", "").strip()
    if not key:
        raise ConfigError(
            "UNSILO_CREDENTIALS_KEY is not set: run `unsilo keys generate` and put its output "
            "in the environment of every web and worker process (it encrypts the networks' "
            "tokens)."
        )
    try:
        Fernet(key.encode())
    except ValueError:
        raise ConfigError(
            "UNSILO_CREDENTIALS_KEY is not a valid key (32 url-safe base64-encoded bytes): "
            "`unsilo keys generate` prints one."
        ) from None


def setup_django() -> None:
    """Load settings and apps; every CLI command calls this before touching models."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unsilo.settings")
    django.setup()
