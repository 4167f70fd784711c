"""Where the repository's files are, for tests and their helpers alike."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FEED_FIXTURES = FIXTURES / "feeds"
SHARED = ROOT.parent / "shared"
