"""Invitation and link codes that people read off paper or a screen and type on a phone:
upper case, from an alphabet without characters that look alike (no 0/O, 1/I/L, 2/Z,
5/S, 8/B), and typed codes forgiven for case, spaces, dashes and look-alike letters."""

import secrets
import unicodedata

from conversations.text import clean_typed

# Digits and capitals left once every look-alike pair is removed entirely: whichever of
# the pair a reader thinks they see, neither is in a code.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 8  # 25**8 ≈ 1.5e11 codes; an invitation also expires and works once
# Cyrillic and Greek capitals drawn like Latin ones (a phone keyboard left on another
# script, a code copied from a message that had them): read as the Latin letter.
_SCRIPT_LOOK_ALIKES = str.maketrans(
    {
        "\u0410": "A",  # CYRILLIC CAPITAL LETTER A
        "\u0421": "C",  # CYRILLIC CAPITAL LETTER ES
        "\u0415": "E",  # CYRILLIC CAPITAL LETTER IE
        "\u041d": "H",  # CYRILLIC CAPITAL LETTER EN
        "\u041a": "K",  # CYRILLIC CAPITAL LETTER KA
        "\u041c": "M",  # CYRILLIC CAPITAL LETTER EM
        "\u0420": "P",  # CYRILLIC CAPITAL LETTER ER
        "\u0422": "T",  # CYRILLIC CAPITAL LETTER TE
        "\u0425": "X",  # CYRILLIC CAPITAL LETTER HA
        "\u0423": "Y",  # CYRILLIC CAPITAL LETTER U
        "\u0391": "A",  # GREEK CAPITAL LETTER ALPHA
        "\u0395": "E",  # GREEK CAPITAL LETTER EPSILON
        "\u0397": "H",  # GREEK CAPITAL LETTER ETA
        "\u039a": "K",  # GREEK CAPITAL LETTER KAPPA
        "\u039c": "M",  # GREEK CAPITAL LETTER MU
        "\u039d": "N",  # GREEK CAPITAL LETTER NU
        "\u03a1": "P",  # GREEK CAPITAL LETTER RHO
        "\u03a4": "T",  # GREEK CAPITAL LETTER TAU
        "\u03a5": "Y",  # GREEK CAPITAL LETTER UPSILON
        "\u03a7": "X",  # GREEK CAPITAL LETTER CHI
    }
)
_SEPARATORS = str.maketrans("", "", " -_.·")


def new_code(length: int = LENGTH) -> str:
    """A random code of `length` characters of ALPHABET (cryptographic randomness)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normal_code(typed: str) -> str:
    """The stored form of a typed code: "ac4-d 7kx9" -> "AC4D7KX9". Fullwidth letters become
    ASCII (NFKC), look-alike Cyrillic and Greek capitals their Latin letter, and spaces,
    dashes, dots and underscores go; case does not matter. At most 32 characters kept."""
    text = unicodedata.normalize("NFKC", clean_typed(typed)).upper()
    return text.translate(_SCRIPT_LOOK_ALIKES).translate(_SEPARATORS)[:32]
