"""``python -m fastlr``: the command line (see ``fastlr.cli``)."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fastlr`` console script.

    With ``argv=None`` (the process's own command line, which exits on return) the objects left
    are frozen out of the garbage collector (:func:`gc.freeze`): the interpreter's shutdown then
    skips collecting the compiled kernels', Numba's and matplotlib's object graphs (a third of
    a second after a sweep with a plot). Called with arguments (in a test, say) it frees nothing
    less.
    """
    from fastlr.cli import main as cli_main

    code = cli_main(argv)
    if argv is None:
        gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(main())
