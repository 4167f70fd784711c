"""econsec: news monitoring for economic security and technology policy."""

from econsec.version import __version__

__all__ = ["__version__"]
