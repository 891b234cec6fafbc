"""Label normalisation shared by vocabulary mapping and config validation."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

_SPACE = re.compile(r"\s+")


def label_text(value: object) -> str:
    """A raw cell as the text of a label: a whole number stored as a float (an SPSS or Parquet
    code, ``3.0``) is written as the code it is (``"3"``), as a study file writes it."""
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def normalize_label(value: object) -> str:
    """Fold a raw label for vocabulary matching.

    Unicode NFKD with accents removed, case-folded, surrounding white space stripped and inner
    runs of white space collapsed: ``" Mejoría  leve "`` and ``"mejoria leve"`` match; a whole
    number stored as a float reads as its code (:func:`label_text`: ``3.0`` matches ``"3"``).
    """
    text = unicodedata.normalize("NFKD", label_text(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACE.sub(" ", text).strip().casefold()
