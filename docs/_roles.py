"""mkdocs hook: the docstrings' Sphinx roles (``:func:`fastlr.sweep```) as cross-references.

The docstrings are read as plain text by ``help()`` as well as by the site, so they keep their
roles; Markdown renders ``:func:`x``` as ``:func:<code>x</code>``. This hook turns that into an
optional mkdocs-autorefs reference: a link where ``x`` is a documented object's full path, the
plain ``x`` otherwise (a relative name), never a warning.
"""

from __future__ import annotations

import html
import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const):<code>([^<]+)</code>")


def _ref(match: re.Match[str]) -> str:
    target = html.unescape(match.group(1)).strip()
    short = target.startswith("~")
    ident = target.lstrip("~.").removesuffix("()")
    title = ident.rsplit(".", 1)[-1] if short else ident
    return f'<autoref identifier="{html.escape(ident)}" optional><code>{html.escape(title)}</code></autoref>'


def on_page_content(html_text: str, **kwargs: Any) -> str:
    return _ROLE.sub(_ref, html_text)
