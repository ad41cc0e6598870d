"""Both check characters of the credit code, written for the tests from the algorithm as
domain.md states it, so that no expected value comes from the functions under test."""

from __future__ import annotations

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # valued 0-30 in this order
ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # 0-9 for digits, A=10 … Z=35


def reference_check(first17: str) -> str:
    """Position 18: weights 3^(i-1) mod 31, c = 31 - (s mod 31), and c = 31 becomes 0."""
    weight, total = 1, 0
    for ch in first17:
        total += REFERENCE_ALPHABET.index(ch) * weight
        weight = weight * 3 % 31
    c = 31 - total % 31
    if c == 31:
        c = 0
    return REFERENCE_ALPHABET[c]


def reference_org_check(first8: str) -> str:
    """Position 17: weights 3 7 9 10 5 8 4 2, c = 11 - (s mod 11); 10 is X and 11 is 0."""
    total = sum(ORG_VALUES.index(ch) * w for ch, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2),
                                                           strict=True))
    c = 11 - total % 11
    if c == 10:
        return "X"
    if c == 11:
        return "0"
    return str(c)
