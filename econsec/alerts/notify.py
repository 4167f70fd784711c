"""Delivery through Apprise: one Apprise call per channel, one result per channel.

A rule's `notify` URLs may name environment variables (`${SLACK_WEBHOOK}`),
expanded only at send time, so secrets stay out of rule files. Neither the
expanded URL nor any secret in it is ever logged or stored: a channel is
known by a `channel_label`, and error texts have secrets masked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from econsec.models import Alert

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
HOST_SCHEMES = {
    "json",
    "jsons",
    "form",
    "forms",
    "xml",
    "xmls",
    "ntfy",
    "ntfys",
    "mailto",
    "mailtos",
}
EVIDENCE_SHOWN = 5


@dataclass
class Outcome:
    """What one channel said: delivered, failed (retry next run) or invalid (never retried)."""

    ok: bool
    error: str | None = None
    permanent: bool = False


Sender = Callable[[str, str, str], Outcome]


def check_url(template: str) -> None:
    """At rule load: a URL Apprise can use, unless it waits on environment variables."""
    import apprise  # at use: it takes a quarter of a second to import

    if ENV_VAR.search(template):
        if not template.startswith("${") and not SCHEME.match(template):
            raise ValueError("a notify URL must start with scheme:// or ${VARIABLE}")
        return
    if not apprise.Apprise().add(template):
        scheme = SCHEME.match(template)
        raise ValueError(
            f"not a URL Apprise can use (scheme {scheme.group(1) if scheme else '?'!r})"
        )


def channel_label(template: str) -> str:
    """A name for a channel that carries no secret: the variable, or scheme and host."""
    if template.startswith("${"):
        return template.split("}", 1)[0] + "}"
    parts = urlsplit(template)
    if parts.scheme.lower() in HOST_SCHEMES:
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
    return f"{parts.scheme}://…"


def labels(templates: list[str]) -> dict[str, str]:
    """label -> URL template; a repeated label gets `#2`, `#3` so each stays one channel."""
    found: dict[str, str] = {}
    for template in templates:
        label = channel_label(template)
        n = 2
        while label in found:
            label = f"{channel_label(template)}#{n}"
            n += 1
        found[label] = template
    return found


def expand(template: str) -> tuple[str, list[str]]:
    """The URL with variables filled in, and the names of the ones that are not set."""
    missing = [name for name in ENV_VAR.findall(template) if not os.environ.get(name)]
    return ENV_VAR.sub(lambda m: os.environ.get(m.group(1), ""), template), missing


def mask(text: str, template: str) -> str:
    """Error text with the values of the template's variables blanked out."""
    for name in ENV_VAR.findall(template):
        secret = os.environ.get(name)
        if secret:
            text = text.replace(secret, "***")
    return text


def send(template: str, title: str, body: str) -> Outcome:
    """One channel, one Apprise call."""
    import apprise

    url, missing = expand(template)
    if missing:
        return Outcome(False, f"environment variable {', '.join(missing)} is not set")
    channel = apprise.Apprise()
    if not channel.add(url):
        return Outcome(False, "not a URL Apprise can use", permanent=True)
    result = channel.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
    if result:
        return Outcome(True)
    said = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
    return Outcome(False, mask("; ".join(said[-3:]) or "delivery failed", template))


def _event_lines(event: dict[str, Any]) -> list[str]:
    when = str(event.get("published", ""))[:10]
    lines = [f"- {when} {event.get('title', '')} ({event.get('source', '')})"]
    if event.get("evidence") and event.get("evidence") != event.get("title"):
        lines.append(f"  {event['evidence']}")
    if event.get("url"):
        lines.append(f"  {event['url']}")
    return lines


def render(alert: Alert) -> tuple[str, str]:
    """Title and plain-text body of one alert, with its evidence."""
    title = f"[econsec] {alert.rule}: {alert.title}"
    lines = [f"{alert.summary} ({alert.group})".strip(), ""]
    for event in alert.evidence[:EVIDENCE_SHOWN]:
        lines += _event_lines(event)
    if len(alert.evidence) > EVIDENCE_SHOWN:
        lines.append(f"… and {len(alert.evidence) - EVIDENCE_SHOWN} more")
    return title, "\n".join(lines).strip()


def render_digest(rule: str, alerts: list[Alert], period: str) -> tuple[str, str]:
    """One message for a batch of alerts of one rule."""
    title = f"[econsec] {rule}: {len(alerts)} alerts ({period} digest)"
    sections = []
    for alert in alerts:
        _, body = render(alert)
        sections.append(f"## {alert.title}\n{body}")
    return title, "\n\n".join(sections)


def load_channels() -> None:
    """Import Apprise and load its plugins now. The first use in a process takes seconds
    (2.8 s on a busy machine), which a long-running server pays at start-up rather than
    in an analyst's first request."""
    import apprise

    apprise.Apprise().add("json://localhost")
