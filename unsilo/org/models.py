"""Silos (a tree), the people in them, and each silo's seat at the COE table."""

from django.db import models
from django.utils.timezone import now


class SiloKind(models.TextChoices):
    HUB = "hub", "Hub (COE core team)"
    DEPARTMENT = "department", "Department"
    FUNCTION = "function", "Function"
    BUSINESS_UNIT = "business_unit", "Business unit"
    REGION = "region", "Region"


class Silo(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=20, choices=SiloKind.choices, default=SiloKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_hub(self) -> bool:
        return self.kind == SiloKind.HUB


def search_text(name: str, email: str, title: str, skills: list) -> str:
    """What people search matches: " name email", then tab, space and skill for each skill, a
    tab, and last a newline, space and the title.

    Lowercased with whitespace squeezed, as queries.people does to what it looks for. Every
    word follows a space, so " wu" finds the words that start with "wu"; no field keeps a tab
    or a newline, so tab, space, "billing", tab finds that whole skill only, and whatever
    follows the newline is the title.
    """
    def words(*parts) -> str:
        return "".join(f" {squeeze(part)}" for part in parts if squeeze(part))

    skill_list = "".join(f"\t{words(skill)}" for skill in skills or ())
    return f"{words(name, email)}{skill_list}\t\n{words(title)}".lower()


def squeeze(text) -> str:
    """`text` with each run of whitespace (tabs, newlines…) made one space, trimmed."""
    return " ".join(str(text).split())


# The fields search_text() is made of.
SEARCHED = {"name", "email", "title", "skills"}


class Person(models.Model):
    """Everyone in the company belongs to one silo. Logins are separate (core.User)."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    silo = models.ForeignKey(Silo, on_delete=models.PROTECT, related_name="people")
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    timezone = models.CharField(max_length=64, blank=True, default="UTC")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # How many open conversations this person can hold at once.
    capacity = models.PositiveIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    # Made by search_text() from name, email, title and skills, and indexed (migration 0003):
    # a search is one indexed LIKE instead of four scans.
    search = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["silo", "name", "id"]),
            models.Index(fields=["name", "id"]),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        # Every save keeps the search column in step, whoever changed the fields it is made of.
        self.search = search_text(self.name, self.email, self.title, self.skills)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCHED.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, "search"}
        super().save(*args, **kwargs)


class SeatRole(models.TextChoices):
    CAPTAIN = "captain", "Captain"
    DELEGATE = "delegate", "Delegate"


class SeatMember(models.Model):
    """A person holding their silo's seat at the COE table. A silo with none has an empty seat."""

    silo = models.ForeignKey(Silo, on_delete=models.CASCADE, related_name="seat_members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(max_length=10, choices=SeatRole.choices, default=SeatRole.DELEGATE)
    since = models.DateTimeField(default=now)

    class Meta:
        ordering = ["silo", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["silo", "person"], name="seat_member_once_per_silo")
        ]

    def __str__(self):
        return f"{self.person.name} ({self.get_role_display()}, {self.silo.name})"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PeopleImport(models.Model):
    """A people CSV uploaded in the web UI, kept so that confirming imports what was previewed."""

    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    # What the background task is doing now, and how far it has come.
    step = models.CharField(max_length=100, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The preview's counts once checked; the import's own counts once done.
    people_total = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    people_updated = models.PositiveIntegerField(default=0)
    people_unchanged = models.PositiveIntegerField(default=0)
    new_silos = models.JSONField(default=list, blank=True)
    # What the seat column changes: people seated, seat roles changed, people unseated.
    seats_added = models.PositiveIntegerField(default=0)
    seats_changed = models.PositiveIntegerField(default=0)
    seats_removed = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    AUDIT_REDACT = ("content",)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"People import {self.filename} ({self.get_status_display().lower()})"
