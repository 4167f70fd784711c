"""Where the repository's files are, for tests and their helpers alike."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FEED_FIXTURES = FIXTURES / "feeds"
PAGE_FIXTURES = FIXTURES / "pages"
SHARED = ROOT.parent / "shared"


def uv() -> str | None:
    """The uv `make` bootstraps into .tools/, else one on PATH."""
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.is_file() else shutil.which("uv")
