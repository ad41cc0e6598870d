"""The Unified Social Credit Code (GB 32100-2015): published vectors, each rule, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accel666.policies import CreditCodeError
from accel666.policies.credit_code import ALPHABET, check_character, is_valid, normalise, org_check_character
from tests.credit_reference import REFERENCE_ALPHABET, reference_check, reference_org_check

VALID = ["914403001922038216", "91440300708461136T", "9144030071526726XG", "91350100M000100Y43"]

@pytest.mark.parametrize("code", VALID)
def test_the_reference_implementation_agrees_with_the_published_codes(code):
    """The test's own implementation is itself checked against the real codes of domain.md."""
    assert reference_org_check(code[8:16]) == code[16]
    assert reference_check(code[:17]) == code[17]


# Every special case of both check characters, alone and together: the organisation check is a
# digit, X (c = 10) or 0 (c = 11); the final check is an ordinary symbol, Y (c = 30) or 0 (c = 31).
SPECIAL = [
    pytest.param("91320500MA0000007J", "digit", "other", id="org-digit-check-J"),
    pytest.param("91320500MA0000162Y", "digit", "Y", id="org-digit-check-Y"),
    pytest.param("91320500MA00002850", "digit", "0", id="org-digit-check-0"),
    pytest.param("91320500MA000004XT", "X", "other", id="org-X-check-T"),
    pytest.param("91320500MA000469XY", "X", "Y", id="org-X-check-Y"),
    pytest.param("91320500MA000215X0", "X", "0", id="org-X-check-0"),
    pytest.param("91320500MA00000906", "0", "other", id="org-0-check-6"),
    pytest.param("91320500MA0002280Y", "0", "Y", id="org-0-check-Y"),
    pytest.param("91320500MA00028700", "0", "0", id="org-0-check-0"),
]


@pytest.mark.parametrize(("code", "org_case", "check_case"), SPECIAL)
def test_special_check_characters(code, org_case, check_case):
    """Each vector is the case it claims (by the reference), and the module agrees with it."""
    org, check = reference_org_check(code[8:16]), reference_check(code[:17])
    assert (org, check) == (code[16], code[17])
    assert (org if org in "X0" else "digit") == org_case
    assert (check if check in "Y0" else "other") == check_case
    assert org_check_character(code[8:16]) == org
    assert check_character(code[:17]) == check
    assert normalise(code.lower()) == code


@pytest.mark.parametrize(("code", "org_case", "check_case"), SPECIAL)
def test_special_check_characters_refuse_every_other_symbol(code, org_case, check_case):
    """With any other symbol in position 18 (or 17) the code is refused, naming the expected one."""
    for other in REFERENCE_ALPHABET.replace(code[17], ""):
        with pytest.raises(CreditCodeError) as err:
            normalise(code[:17] + other)
        assert str(err.value) == (f"check character (position 18) is {other!r}, "
                                  f"expected {code[17]!r}")
    for other in REFERENCE_ALPHABET.replace(code[16], ""):
        assert not is_valid(code[:16] + other + code[17])


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    """The known-good codes of domain.md normalise to themselves."""
    assert normalise(code) == code
    assert is_valid(code)


def test_standard_worked_example_sums_to_1640():
    """The standard's example: weighted sum 1640, so the check character is 31 - 1640 % 31 = 3."""
    weights = [pow(3, i, 31) for i in range(17)]
    assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert sum(ALPHABET.index(ch) * w for ch, w in zip("91350100M000100Y4", weights, strict=True)) == 1640
    assert check_character("91350100M000100Y4") == "3"
    assert org_check_character("M000100Y") == "4"


def test_alphabet_is_the_31_symbols_without_i_o_s_v_z():
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize(("text", "expected"), [
    ("91440300708461136t", "91440300708461136T"),
    ("  9144030071526726xg\t", "9144030071526726XG"),
    ("\n91350100m000100y43 ", "91350100M000100Y43"),
])
def test_lower_case_and_surrounding_spaces_are_accepted_and_normalised(text, expected):
    assert normalise(text) == expected


# (id, text, message)
INVALID = [
    ("Z-not-in-alphabet", "91350100M000100Y4Z",
     "'Z' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("I", "91440300192203821I",
     "'I' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("O", "9144030O1922038216",
     "'O' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("S-and-V", "9S4403001922038V16",
     "'S', 'V' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("lower-case-o", "91440300192203821o",
     "'O' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("punctuation", "914403-01922038216",
     "'-' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("inner-space", "9144030 1922038216",
     "' ' not allowed in a credit code (alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY)"),
    ("17-chars", "91440300192203821", "a credit code has 18 characters, this one has 17"),
    ("19-chars", "9144030019220382160", "a credit code has 18 characters, this one has 19"),
    ("empty", "", "a credit code has 18 characters, this one has 0"),
    ("blank", "   ", "a credit code has 18 characters, this one has 0"),
    ("wrong-check-character", "914403001922038217",
     "check character (position 18) is '7', expected '6'"),
    ("wrong-check-letter", "91440300708461136U",
     "check character (position 18) is 'U', expected 'T'"),
    ("wrong-org-check", "914403001922038226",
     "organisation-code check character (position 17) is '2', expected '1'"),
    ("wrong-org-check-X", "9144030071526726YG",
     "organisation-code check character (position 17) is 'Y', expected 'X'"),
    ("letter-in-position-3", "91A40300192203821X",
     "positions 3-8 of a credit code are the six digits of a region code"),
    ("letter-in-position-8", "9144030A1922038216",
     "positions 3-8 of a credit code are the six digits of a region code"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in INVALID])
def test_invalid_codes_are_refused_with_the_rule_they_break(text, message):
    with pytest.raises(CreditCodeError) as err:
        normalise(text)
    assert str(err.value) == message
    assert not is_valid(text)


@pytest.mark.parametrize("value", [None, 914403001922038216, b"914403001922038216"])
def test_non_text_is_refused(value):
    with pytest.raises(CreditCodeError) as err:
        normalise(value)  # type: ignore[arg-type]
    assert str(err.value) == f"a credit code is text, not {type(value).__name__}"


# Parts a real code is built from: authority and entity type from the alphabet, six region
# digits, eight organisation-code characters from the alphabet; then both check characters.
DIGITS = "0123456789"
prefixes = st.builds(
    lambda head, region, org: head + region + org + reference_org_check(org),
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text(DIGITS, min_size=6, max_size=6),
    st.text(ALPHABET, min_size=8, max_size=8),
)


def complete(first17: str) -> str:
    return first17 + reference_check(first17)


@given(prefixes)
def test_appending_the_check_character_gives_a_valid_code(first17):
    """Any 17 characters built from valid parts become valid with their check character."""
    code = complete(first17)
    assert normalise(code) == code
    assert normalise(f" {code.lower()} ") == code


REPLACEMENTS = ALPHABET + "IOSVZ-* " + "abcdefghjklmnpqrtuwxy"


@given(prefixes, st.integers(0, 17), st.sampled_from(REPLACEMENTS))
def test_changing_any_one_character_invalidates(first17, position, replacement):
    """A single substituted character is always caught.

    Replacing position p (1..16) changes the weighted sum by (v' - v) * 3^(p-1) mod 31, which is
    never 0 because 31 is prime and 0 < |v' - v| < 31; position 17 breaks the organisation check
    (deterministic from positions 9-16); position 18 no longer equals the computed check. A
    replacement that is the same character once upper-cased (a -> A) is not a change, so it is
    skipped; one outside the alphabet or a letter in positions 3-8 is caught by earlier rules.
    """
    code = complete(first17)
    if replacement.upper() == code[position]:
        replacement = ALPHABET[(ALPHABET.index(code[position]) + 1) % len(ALPHABET)]
    mutated = code[:position] + replacement + code[position + 1:]
    assert not is_valid(mutated)
    with pytest.raises(CreditCodeError):
        normalise(mutated)


@given(prefixes, st.integers(0, 16))
def test_transposing_neighbours_that_differ_invalidates(first17, position):
    """Swapping two different adjacent characters is caught too (weights differ by a factor 3)."""
    code = complete(first17)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    swapped = code[:position] + b + a + code[position + 2:]
    assert not is_valid(swapped)


@pytest.mark.parametrize(("check", "length"), [(check_character, 17),
                                                (org_check_character, 8)])
def test_the_check_functions_take_exactly_their_characters(check, length):
    """Each weighs exactly its own characters: one too few or too many is a programming error,
    never a silently shorter or truncated sum."""
    for wrong in (length - 1, length + 1):
        with pytest.raises(ValueError):
            check("1" * wrong)
    assert check("1" * length)  # the right length gives a character
