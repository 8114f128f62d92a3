"""Which new passwords are refused, and why (NIST SP 800-63B §5.1.1.2): at least
MIN_PASSWORD_LENGTH characters, and not a password attackers try first:

- one of the 30,000 most common passwords (data/common_passwords.txt, its source in
  data/README.md), compared without case and without spaces;
- a repetition or a sequence ("aaaaaaaaaa", "abcabcabcabc", "1234567890", "zyxwvutsrq");
- made of the person's own e-mail address, name or school name (and "rembuk"): what is
  left after taking those words out is shorter than five letters or digits.

No composition rules (no demanded digits, capitals or symbols): they make passwords harder
to remember without making them stronger, as NIST says; a long phrase of one's own is best.
Every form that sets a password asks here: joining by invitation, a reset, the settings page
and the first school's setup; so does `flask create-school` (`refusal`).
"""

import re
import unicodedata
from functools import cache
from itertools import pairwise
from pathlib import Path

from flask_babel import lazy_gettext as _l

from collab.people.service_accounts import MIN_PASSWORD_LENGTH

COMMON_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
MIN_REST = 5  # letters or digits left once the person's own words are taken out
MIN_WORD = 3  # shorter parts of a name or address are not looked for

REASONS = {
    "common": _l("This password is one of the most common passwords, which attackers try "
                 "first. Choose a phrase of your own, for example a few words that belong "
                 "together only for you."),
    "pattern": _l("This password is a repetition or a sequence (such as aaaa or 1234), which "
                  "attackers try first. Choose a phrase of your own, for example a few words "
                  "that belong together only for you."),
    "personal": _l("This password is made of your e-mail address, your name or your school's "
                   "name, which attackers try first. Choose a phrase of your own, for example "
                   "a few words that belong together only for you."),
}


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read once per process."""
    return frozenset(line.strip() for line in COMMON_LIST.read_text().splitlines()
                     if line.strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _alnum(text: str) -> str:
    return "".join(c for c in _fold(text) if c.isalnum())


def is_pattern(password: str) -> bool:
    """A short unit repeated, or a run of letters or digits going up or down by one."""
    text = _fold(password).replace(" ", "")
    if len(text) < 2:
        return True
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


def _own_words(email: str, names) -> list[str]:
    words = {"rembuk"}
    local, _, domain = _fold(email).partition("@")
    for text in (local, domain.split(".")[0] if domain else "", *names):
        whole = _alnum(text)
        if len(whole) >= MIN_WORD:
            words.add(whole)
        words.update(w for w in re.split(r"[\W_]+", _fold(text)) if len(w) >= MIN_WORD)
    return sorted(words, key=len, reverse=True)  # longest first


def is_personal(password: str, email: str = "", names=()) -> bool:
    """Whether taking the person's own words out leaves fewer than MIN_REST letters or
    digits."""
    rest = _alnum(password)
    for word in _own_words(email, names):
        rest = rest.replace(word, "")
    return len(rest) < MIN_REST


def weakness(password: str, email: str = "", names=()) -> str | None:
    """Why `password` is refused ("common", "pattern", "personal"), or None."""
    folded = _fold(password)
    if folded in common_passwords() or folded.replace(" ", "") in common_passwords():
        return "common"
    if is_pattern(password):
        return "pattern"
    if is_personal(password, email, [n for n in names if n]):
        return "personal"
    return None


def own_words_of(user) -> tuple[str, list[str]]:
    """A user's address and the names their password must not be made of."""
    membership = getattr(user, "membership", None)
    school = membership.school.name if membership and membership.school else ""
    return user.email, [user.name, school]


def refusal(password: str, email: str = "", names=()):
    """Why a new password given outside a form (`flask create-school`) is refused, as the
    forms would say it (their length rule, then `weakness`), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH)
    reason = weakness(password, email, names)
    return REASONS[reason] if reason else None


def refuse_weak(field, email: str = "", names=()) -> bool:
    """True if the form's new-password field holds an acceptable password; else its error
    says why, next to the field."""
    reason = weakness(field.data or "", email, names)
    if reason is None:
        return True
    field.errors = [*field.errors, REASONS[reason]]
    return False
