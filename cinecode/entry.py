"""The `cinecode` console script: answer an up-to-date `make` at once, else run the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `cinecode` script."""
    from cinecode.graph.fastpath import try_make

    if try_make(sys.argv[1:]):  # nothing to do: answered without loading the build machinery
        return
    from cinecode.cli import app

    app()
