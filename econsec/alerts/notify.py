"""Delivery through Apprise: one Apprise call per channel, one result per channel.

A rule's `notify` URLs may name environment variables (`${ECONSEC_SECRET_SLACK}`),
expanded only at send time, so secrets stay out of rule files. Only the variables
the operator allows (`ECONSEC_NOTIFY_VARIABLES`, by default `ECONSEC_SECRET_*`)
are read, so a rule cannot send the API token or any other secret of the process
to a host of its choosing. A variable that begins the URL is the whole URL; any
other is one part of it (a password, a token) and is percent-encoded, so that
`@`, `/` or `#` in a password cannot change where the message goes. Neither the
expanded URL nor any secret in it is ever logged or stored: a channel is known
by a `channel_label`, error texts have secrets masked, and a URL that must be
shown is `redact`ed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from econsec.models import Alert

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
USERINFO = re.compile(r"(://[^/@:\s]*:)[^@/\s]+@")
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


def allowed_variables() -> list[str]:
    """The operator's list (`ECONSEC_NOTIFY_VARIABLES`), read when it is needed."""
    from econsec.config import load_settings

    return load_settings().notify_variables


def refused(template: str) -> list[str]:
    """The variables of a template that notify URLs may not read."""
    patterns = allowed_variables()
    return [
        name
        for name in ENV_VAR.findall(template)
        if not any(name == p or (p.endswith("*") and name.startswith(p[:-1])) for p in patterns)
    ]


def check_url(template: str) -> None:
    """At rule load: a URL Apprise can use, reading only allowed variables. With variables
    inside it, it is tried with a stand-in value; one that is the whole URL is not known."""
    import apprise  # at use: it takes a quarter of a second to import

    names = refused(template)
    if names:
        raise ValueError(
            f"${{{names[0]}}} is not a variable notify URLs may read "
            f"(allowed: {', '.join(allowed_variables()) or 'none'}; see ECONSEC_NOTIFY_VARIABLES)"
        )
    if template.startswith("${"):
        return
    if ENV_VAR.search(template) and not SCHEME.match(template):
        raise ValueError("a notify URL must start with scheme:// or ${VARIABLE}")
    if not apprise.Apprise().add(ENV_VAR.sub("x", template)):
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


def redact(template: str) -> str:
    """A notify URL fit to show (`alerts list`): Apprise's own private form, which hides
    passwords and tokens, when it knows the URL; otherwise the password of its user part."""
    if not ENV_VAR.search(template):
        import apprise

        plugin = apprise.Apprise.instantiate(template)
        if plugin:
            shown = str(plugin.url(privacy=True))
            return shown if "?" in template else shown.split("?", 1)[0]
    return USERINFO.sub(r"\1***@", template)


def expand(template: str) -> tuple[str, str | None]:
    """The URL with its variables filled in (encoded, unless one is the whole URL), and
    why it cannot be sent when a variable is not allowed or not set."""
    names = refused(template)
    if names:
        return "", (
            f"environment variable {', '.join(names)} may not be read by notify URLs "
            "(ECONSEC_NOTIFY_VARIABLES)"
        )
    missing = [name for name in ENV_VAR.findall(template) if not os.environ.get(name)]
    if missing:
        return "", f"environment variable {', '.join(missing)} is not set"

    def value(found: re.Match[str]) -> str:
        text = os.environ[found.group(1)]
        return text if found.start() == 0 else quote(text, safe="")

    return ENV_VAR.sub(value, template), None


def mask(text: str, template: str) -> str:
    """Error text with the values of the template's variables blanked out, as given and
    as encoded."""
    for name in ENV_VAR.findall(template):
        secret = os.environ.get(name)
        if secret:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def send(template: str, title: str, body: str) -> Outcome:
    """One channel, one Apprise call."""
    import apprise

    url, problem = expand(template)
    if problem:
        return Outcome(False, problem)
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


def test_message(rule: str) -> tuple[str, str]:
    """Says it is a test, so nobody acts on it."""
    title = f"[econsec] {rule}: test notification"
    body = (
        f"A test of the channels of the alert rule {rule!r} (econsec alerts notify-test). "
        "No event matched; nothing needs doing."
    )
    return title, body


def send_test(rule: str, templates: list[str], sender: Sender = send) -> dict[str, Outcome]:
    """One test message to each channel of a rule, by its label: an analyst learns that a
    channel is wrong before an alert needs it. Nothing is recorded."""
    message = test_message(rule)
    return {label: sender(url, *message) for label, url in labels(templates).items()}


def load_channels() -> None:
    """Import Apprise and load its plugins now. The first use in a process takes seconds
    (2.8 s on a busy machine), which a long-running server pays at start-up rather than
    in an analyst's first request."""
    import apprise

    apprise.Apprise().add("json://localhost")
