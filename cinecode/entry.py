"""The `cinecode` console script: answer an up-to-date `make` at once, else run the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `cinecode` script."""
    from cinecode.graph.fastpath import try_make

    answer = try_make(sys.argv[1:])
    if answer is not None:  # nothing to do: answered without loading the build machinery
        sys.stderr.write("nothing to do: the film is up to date\n")
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
        return
    from cinecode.cli import app

    app()
