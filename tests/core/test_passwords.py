import pytest

from tests import factories
from unsilo.core.models import Role, User

pytestmark = pytest.mark.django_db


def test_passwords_are_stored_as_argon2_hashes(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = factories.user(Role.VIEWER)
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert factories.PASSWORD not in stored
    assert User.objects.get(pk=user.pk).check_password(factories.PASSWORD)
