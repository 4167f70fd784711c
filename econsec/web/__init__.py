"""The analyst web UI and JSON API, over the search model, on either backend.

`create_app(settings, store=...)` builds the FastAPI application (`app`);
`econsec serve` runs it under uvicorn (`server`).
"""

from econsec.web.app import create_app

__all__ = ["create_app"]
