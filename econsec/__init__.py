"""econsec: news monitoring for economic security and technology policy."""

__version__ = "0.1.0"
