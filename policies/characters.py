"""Which characters text may hold: one rule for every name and text people read, whether an
operator typed it (a project's title, an opinion) or the policy declares it (a batch's key and
name). Standard library only.

Refused everywhere: control characters, bidirectional controls (they reorder how text is
displayed, so that one name could read as another), surrogates, private-use and unassigned
characters. Refused in one line of text (a name, a key) as well: line breaks, tabs and other
invisible format characters (U+200E/U+200F marks, zero-width characters…). A terminal escape
sequence starts with a control character (ESC, CSI), so none gets through.
"""

from __future__ import annotations

import unicodedata

# Characters that reorder how text is displayed (bidirectional embeddings, overrides, isolates):
# in an official record they could make one name read as another.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def refused(ch: str, one_line: bool) -> bool:
    """Is `ch` refused in text: surrogates, private-use and unassigned characters, bidi
    controls, control characters (except line breaks and tabs in multi-line text) and, in one
    line, format characters and line or paragraph separators?"""
    kind = unicodedata.category(ch)
    return kind in ("Cs", "Co", "Cn") or ch in BIDI_CONTROLS or (
        kind == "Cc" and (one_line or ch not in "\n\t")
    ) or (one_line and kind in ("Cf", "Zl", "Zp"))


def first_refused(text: str, *, one_line: bool) -> str | None:
    """The first character of `text` that `refused` refuses, or None."""
    # Fast path, in C: str.isprintable() is False for every character refused (Cc, Cf, Cs, Co,
    # Cn, Zl, Zp), so printable text passes; the rest is checked character by character.
    if (text if one_line else text.replace("\n", "").replace("\t", "")).isprintable():
        return None
    return next((ch for ch in text if refused(ch, one_line)), None)


def reason(ch: str) -> str:
    """Why text holding `ch` is refused, naming the character by its code point."""
    return f"contains the control, format or unassigned character U+{ord(ch):04X}"
