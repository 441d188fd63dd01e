"""The networks unsilo knows. Connectors register here; nothing branches on network names."""

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Network:
    name: str
    label: str
    profile_url: str  # with {handle}


NETWORKS: dict[str, Network] = {}


def register(network: Network) -> None:
    NETWORKS[network.name] = network


def choices() -> list[tuple[str, str]]:
    return [(n.name, n.label) for n in NETWORKS.values()]


def profile_url(network: str, handle: str) -> str:
    known = NETWORKS.get(network)
    if not (known and known.profile_url):
        return ""
    # A handle is data: quoted, so it stays one path segment of the network's own site.
    return known.profile_url.format(handle=quote(handle.lstrip("@"), safe="@.~-_"))


for _network in [
    Network("bluesky", "Bluesky", "https://bsky.app/profile/{handle}"),
    Network("mastodon", "Mastodon", ""),
    Network("x", "X", "https://x.com/{handle}"),
    Network("facebook", "Facebook", "https://www.facebook.com/{handle}"),
    Network("instagram", "Instagram", "https://www.instagram.com/{handle}"),
    Network("linkedin", "LinkedIn", "https://www.linkedin.com/company/{handle}"),
    Network("youtube", "YouTube", "https://www.youtube.com/@{handle}"),
    Network("reddit", "Reddit", "https://www.reddit.com/user/{handle}"),
    Network("tiktok", "TikTok", "https://www.tiktok.com/@{handle}"),
    Network("threads", "Threads", "https://www.threads.net/@{handle}"),
    Network("rss", "RSS/Atom feed", ""),
    Network("webhook", "Generic webhook", ""),
]:
    register(_network)
