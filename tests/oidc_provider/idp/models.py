from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What the provider says of a user besides Django's fields."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    email_verified = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.user} (email verified: {self.email_verified})"
