"""The embedded store (the default, zero setup): Tantivy indexes for search, SQLite for
the queue between stages and for the alert state, all under one directory."""
