"""``python -m fastlr``: the command line (see ``fastlr.cli``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fastlr`` console script."""
    from fastlr.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
