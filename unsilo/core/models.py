"""Logins, roles, API tokens and the audit log."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    HUB_ADMIN = "hub_admin", "Hub admin"
    CAPTAIN = "captain", "Spoke captain"
    RESPONDER = "responder", "Responder"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class UserManager(BaseUserManager):
    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """Someone who logs in. Their silo is their person's silo; their powers come from `role`."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    person = models.OneToOneField(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    AUDIT_REDACT = ("password",)
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.name or self.email

    @property
    def silo_id(self) -> int | None:
        return self.person.silo_id if self.person_id else None


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a SHA-256 hash, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    AUDIT_REDACT = ("token_hash",)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Via(models.TextChoices):
    UI = "ui", "Web UI"
    API = "api", "API"
    CLI = "cli", "CLI"
    WORKER = "worker", "Worker"
    SYSTEM = "system", "System"
    EMAIL = "email", "Email reply"


class AuditEvent(models.Model):
    """One change: who, when, through what, to which object, with before/after values."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=10, choices=Via.choices)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, db_index=True)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    silo = models.ForeignKey(
        "org.Silo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class WorkerBeat(models.Model):
    """A running worker says it is alive; a task held by a silent worker goes back to the queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.worker_id} (seen {self.seen_at:%H:%M:%S})"


class PeriodicJob(models.Model):
    """A periodic job's next turn and the task that runs it, shared by every worker, so each
    job has at most one waiting task (core/periodic.py)."""

    name = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField(default=timezone.now)
    task_id = models.UUIDField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} (due {self.due_at:%H:%M:%S})"
