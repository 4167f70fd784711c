"""Ingestion, one stage a module: the feeds file, fetching (behind the network safety
checks), parsing, articles, stories, and the cycle that runs them in a row."""
