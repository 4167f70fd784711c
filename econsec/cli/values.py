"""`econsec values`: what each search filter can match in the store, with counts."""

from __future__ import annotations

from typing import Annotated

import typer

from econsec.cli.common import JsonOpt, StoreOpt, fail, opened, print_json


def values(
    name: Annotated[
        str | None,
        typer.Argument(
            help="type, category, technology, country, initiator, status or outlet; "
            "all when omitted.",
            show_default=False,
            metavar="FILTER",
        ),
    ] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What each search filter can match in the store, with counts.

    Each value with its number of events, most frequent first: what `--type`,
    `--category`, `--tech`, `--country`, `--initiator` and `status:` can match.

    Example: econsec values country --json
    """
    from econsec.cli.listing import Column, print_listing
    from econsec.config import load_settings
    from econsec.errors import FilterValueError
    from econsec.vocabulary import listed_values

    with opened(load_settings(store=store)) as st:
        try:
            found = listed_values(st.values, name)
        except FilterValueError as exc:
            fail(str(exc), code=2)
    if as_json:
        print_json(found)
        return
    for field, counts in found.items():
        rows = [[value, str(count)] for value, count in counts.items()]
        columns = [Column(field), Column("events", right=True)]
        print_listing(columns, rows, title=f"{field}: {len(counts)} values")
