"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

Eighteen characters: registering authority, entity type, six digits of region, the nine-character
organisation code (GB 11714, whose last character is its own check) and a final check character.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for i = 1..17
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class CreditCodeError(ValueError):
    """The text is not a valid credit code; the message says which rule it breaks."""


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (already upper case, all in the alphabet)."""
    s = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    c = 31 - s % 31
    return ALPHABET[0 if c == 31 else c]


def org_check_character(first8: str) -> str:
    """The organisation code's own check character (position 17) for its first 8 characters."""
    s = sum(_org_value(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _org_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    return ord(ch) - ord("A") + 10


def normalise(text: str) -> str:
    """Return the code in upper case without surrounding spaces, or raise CreditCodeError."""
    if not isinstance(text, str):
        raise CreditCodeError(f"a credit code is text, not {type(text).__name__}")
    code = text.strip().upper()
    if len(code) != 18:
        raise CreditCodeError(f"a credit code has 18 characters, this one has {len(code)}")
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise CreditCodeError(f"{shown} not allowed in a credit code (alphabet {ALPHABET})")
    if not code[2:8].isdigit():
        raise CreditCodeError("positions 3-8 of a credit code are the six digits of a region code")
    expected_org = org_check_character(code[8:16])
    if code[16] != expected_org:
        raise CreditCodeError(
            f"organisation-code check character (position 17) is {code[16]!r}, "
            f"expected {expected_org!r}"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            f"check character (position 18) is {code[17]!r}, expected {expected!r}"
        )
    return code


def is_valid(text: str) -> bool:
    try:
        normalise(text)
    except CreditCodeError:
        return False
    return True
