"""`unsilo publish check`: back-test the publishing policy on drafts, writing nothing."""

import json
import sys

import click

from unsilo import cli_support


@click.group()
def publish() -> None:
    """Publishing: check drafts against the hub's policy."""


@publish.command("check")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
def check(path: str) -> None:
    """Print what the publishing policy of the current database says of each draft of PATH
    (JSON Lines; "-" reads stdin), writing nothing to it.

    Each line: {"id", "accounts": ["network:handle", …], "text", "author"} plus optional
    "links" (a list of URLs), "media" ([{"alt": …}]) and "sponsored" (true or false). For each
    line, exactly one JSON object on stdout, in input order: {"id", "checks": [{"name",
    "passed", "why", "reviewers"}], "reviewers": […], "auto_publish": true|false}.

    A bad line prints {"line": N, "error": "..."} on stderr instead; the other lines still
    print, and the exit status is 1.
    """
    cli_support.start()
    from unsilo.publishing.queries import load_policy

    policy = load_policy(cli_support.actor())
    bad = 0
    out: list[str] = []
    with (open(path, "rb") if path != "-" else sys.stdin.buffer) as source:  # noqa: SIM115
        for number, raw in enumerate(source, start=1):
            if not raw.strip():
                continue
            draft, problem = parse_draft(raw)
            if draft is None:
                bad += 1
                _flush(out)
                click.echo(json.dumps({"line": number, "error": problem}, ensure_ascii=False),
                           err=True)
                continue
            out.append(json.dumps(policy.check(draft).as_json(), ensure_ascii=False))
            if len(out) >= 1000:
                _flush(out)
    _flush(out)
    if bad:
        sys.exit(1)


def _flush(out: list[str]) -> None:
    if out:
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()
        out.clear()


def parse_draft(raw: bytes):
    """(Draft, None) or (None, the reason, naming the field)."""
    from unsilo.publishing.policy import Draft

    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte 0x{raw[error.start]:02x} at byte {error.start + 1})"
    except json.JSONDecodeError as error:
        return None, f"not valid JSON ({error.msg} at column {error.colno})"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    problems = []
    for name in ("id", "text", "author"):
        if name not in value:
            problems.append(f"{name}: missing field")
        elif not isinstance(value[name], str) or (name == "id" and not value[name].strip()):
            problems.append(f"{name}: must be a non-empty string" if name == "id"
                            else f"{name}: must be a string")
    accounts = value.get("accounts")
    if not isinstance(accounts, list) or not accounts or not all(
            isinstance(a, str) and ":" in a and a.split(":", 1)[1].strip() for a in accounts):
        problems.append('accounts: a non-empty list of "network:handle"')
    links = value.get("links", [])
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        problems.append("links: a list of URLs")
    media = value.get("media", [])
    if not isinstance(media, list) or not all(
            isinstance(m, dict) and isinstance(m.get("alt", ""), str | None) for m in media):
        problems.append('media: a list of {"alt": text}')
    sponsored = value.get("sponsored", False)
    if not isinstance(sponsored, bool):
        problems.append("sponsored: true or false")
    if problems:
        return None, "; ".join(problems)
    return Draft(id=value["id"], accounts=accounts, text=value["text"], author=value["author"],
                 links=links, media=[m.get("alt") for m in media], sponsored=sponsored), None
