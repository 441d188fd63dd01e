"""Who is making a change, and through which door (UI, API, CLI, worker)."""

from dataclasses import dataclass

from unsilo.core.models import Role, User, Via


@dataclass(frozen=True)
class Actor:
    user: User | None
    via: str
    label: str
    # The CLI and the worker act for the installation itself: whoever runs them owns the data.
    is_system: bool = False

    @classmethod
    def for_user(cls, user: User, via: str = Via.UI) -> "Actor":
        return cls(user=user, via=via, label=user.email)

    @classmethod
    def system(cls, via: str = Via.CLI, label: str = "unsilo") -> "Actor":
        return cls(user=None, via=via, label=label, is_system=True)

    @classmethod
    def anonymous(cls, address: str | None, via: str) -> "Actor":
        """Someone not signed in (a failed sign-in), known only by their address."""
        return cls(user=None, via=via, label=f"{address or 'unknown address'} (not signed in)")

    @property
    def role(self) -> str | None:
        if self.is_system:
            return Role.HUB_ADMIN
        return self.user.role if self.user else None

    @property
    def silo_id(self) -> int | None:
        return self.user.silo_id if self.user else None
