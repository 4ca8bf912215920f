"""Content hashes of plain-JSON documents (standard library only).

One definition of "the same description": the SHA-256 of the document's canonical JSON (keys
sorted, no whitespace, NaN and infinities refused), shortened to 32 hex digits. Spec
fingerprints and the torch bridge's scheduler fingerprints are both this hash of a
``{"fastlr": FORMAT_VERSION, ...}`` document, so a fingerprint stored in a checkpoint compares
equal across processes and Python versions.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: Hex digits kept from the SHA-256 digest (128 bits).
DIGITS = 32


def canonical_hash(doc: Any) -> str:
    """SHA-256 of ``doc``'s canonical JSON, as the first 32 hex digits.

    Documents equal as JSON hash equally whatever their key order.

    Raises
    ------
    ValueError
        For NaN or an infinity anywhere in ``doc``.
    TypeError
        For a value JSON cannot represent.
    """
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGITS]
