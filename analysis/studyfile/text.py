"""Label normalisation shared by vocabulary mapping and config validation."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_label(value: object) -> str:
    """Fold a raw label for vocabulary matching.

    Unicode NFKD with accents removed, case-folded, surrounding white space stripped and inner
    runs of white space collapsed: ``" Mejoría  leve "`` and ``"mejoria leve"`` match.
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACE.sub(" ", text).strip().casefold()
