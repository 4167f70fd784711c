"""`make test` installs the browser the browser tests drive, and nothing else: Debian's
`chromium` with recommended packages brought 115 packages (479 MB, samba, cups and
avahi among them) and upgrades of systemd and perl onto the machine."""

from __future__ import annotations

import re

from tests.support.paths import ROOT


def recipe(target: str) -> str:
    """The commands of one Makefile target, continuation lines joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert found, f"no {target} target"
    return found.group(1)


def test_make_browser_installs_chromium_without_recommended_packages() -> None:
    installs = re.findall(r"apt-get install[^;|&)]*", recipe("browser"))
    assert installs and all("chromium" in line for line in installs)
    assert all("--no-install-recommends" in line for line in installs)


def test_the_readme_says_what_make_test_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`make test` installs" in readme
    assert "--no-install-recommends" in readme and "`chromium`" in readme
