"""E-mail normalisation (look-alike addresses collide) and safe `next=` redirects."""

import unicodedata
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from collab.core.links import safe_next
from collab.people.service_accounts import normalise_email

# ---------------------------------------------------------------- normalise_email

CANONICAL = "guru.budi@smpn1.sch.id"


@pytest.mark.parametrize("variant", [
    "Guru.Budi@SMPN1.sch.id",
    "GURU.BUDI@SMPN1.SCH.ID",
    "  guru.budi@smpn1.sch.id  ",
    "\tguru.budi@smpn1.sch.id\n",
    "guru.budi@smpn1.sch.id\u00a0",  # no-break space
    "\u3000guru.budi@smpn1.sch.id",  # ideographic space
    "guru.\u200bbudi@smpn1.sch.id",  # zero-width space
    "guru.budi\u200c@smpn1.sch.id",  # zero-width non-joiner
    "guru.budi@\u200dsmpn1.sch.id",  # zero-width joiner
    "\ufeffguru.budi@smpn1.sch.id",  # byte-order mark
    "guru.bu\u2060di@smpn1.sch.id",  # word joiner
    "gu\u00adru.budi@smpn1.sch.id",  # soft hyphen
    "ｇｕｒｕ．ｂｕｄｉ＠ｓｍｐｎ１．ｓｃｈ．ｉｄ",  # fullwidth
    "ＧＵＲＵ.budi@smpn1.sch.id",  # fullwidth capitals
    "guru.budi@smpn\u2460.sch.id",  # circled digit one
    "guru.budi@smpn1.sch.\u2170d",  # small roman numeral one
    "guru.budi\uff20smpn1.sch.id",  # fullwidth commercial at
], ids=lambda v: repr(v))
def test_look_alike_addresses_normalise_to_the_same_address(variant):
    assert normalise_email(variant) == CANONICAL


def test_case_folding_goes_beyond_lower_case():
    assert normalise_email("Straße@schule.de") == normalise_email("STRASSE@schule.de")
    assert normalise_email("\u212aelvin@x.id") == "kelvin@x.id"  # Kelvin sign
    assert normalise_email("o\ufb03ce@x.id") == "office@x.id"  # ffi ligature


def test_composed_and_decomposed_accents_collide():
    composed = "andr\u00e9@x.id"
    assert normalise_email("andre\u0301@x.id") == normalise_email(composed)
    assert normalise_email("ANDRE\u0301@X.ID") == normalise_email(composed)
    # A zero-width character between a letter and its accent hides nothing either.
    assert normalise_email("andre\u200b\u0301@x.id") == normalise_email(composed)


def test_different_addresses_stay_different():
    assert normalise_email("budi@x.id") != normalise_email("budi1@x.id")
    assert normalise_email("budi@x.id") != normalise_email("budi@x.co.id")
    assert normalise_email("bud\u00ed@x.id") != normalise_email("budi@x.id")


@pytest.mark.parametrize("empty", [None, "", "   ", "\u200b\u200b", "\t\n"])
def test_empty_input_normalises_to_an_empty_string(empty):
    assert normalise_email(empty) == ""


EMAILISH = st.text(
    alphabet=st.one_of(
        st.sampled_from("abcABC.@-_+ \t\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad"
                        "\u0301\u0308\u0327\u00e9\u00c9\u00df\u212a\ufb03\uff41\uff21\uff20"
                        "\u01f0\u0130\u0131\u03a3\u03c2\u1e9e\u2460\u00a8"),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(EMAILISH)
@example("andre\u200b\u0301@x.id")
@example("\u00a8\u0301")
def test_normalising_twice_changes_nothing(raw):
    # Stored addresses are normalised; someone who types the stored form must find it.
    once = normalise_email(raw)
    assert normalise_email(once) == once


@settings(max_examples=400, deadline=None)
@given(EMAILISH)
def test_a_normalised_address_has_no_spaces_invisibles_or_capitals_and_is_nfkc(raw):
    normal = normalise_email(raw)
    assert not any(c.isspace() for c in normal)
    assert not set(normal) & {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
    assert unicodedata.normalize("NFKC", normal.casefold()) == normal
    assert unicodedata.is_normalized("NFKC", normal)


# ---------------------------------------------------------------- safe_next

FALLBACK = "/home-fallback"


@pytest.mark.parametrize("target", [
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/settings/profile",
    "HTTPS://evil.example",
    "http:/evil.example",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/settings\\..\\..\\evil",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x7f",
    "evil.example",
    "settings/profile",
    "",
    None,
], ids=lambda v: repr(v))
def test_safe_next_refuses_anything_that_could_leave_the_site(target):
    assert safe_next(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", [
    "/",
    "/settings/profile",
    "/settings/profile?tab=2&x=%2F",
    "/plans/7#comments",
    "/%2F%2Fevil.example",  # a path of this site (encoded slashes stay a path)
    "/search?q=http://example.org",
    "/a:b",
])
def test_safe_next_keeps_paths_of_this_site(target):
    assert safe_next(target, FALLBACK) == target


def test_safe_next_falls_back_to_the_root_by_default():
    assert safe_next("//evil.example") == "/"


PIECES = st.sampled_from([
    "/", "//", "\\", ":", ".", "..", "@", "?", "#", "%2F", "%5C", "%09", " ", "\t", "\n",
    "\r", "\x00", "\x1f", "\x7f", "\u3000", "\uff0f", "\u2215", "\u00a0", "\u200b",
    "evil.example", "http", "https", "javascript", "data", "localhost", "a", "~",
])
TARGETS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.lists(PIECES, max_size=8).map("".join),
    st.tuples(st.sampled_from(["/", "//", "/\\", "\\", "http://", "https:", ""]),
              st.lists(PIECES, max_size=6).map("".join)).map("".join),
)


@settings(max_examples=1000, deadline=None)
@given(TARGETS)
def test_safe_next_returns_the_fallback_or_a_single_slash_path_without_backslash(target):
    result = safe_next(target, FALLBACK)
    if result == FALLBACK:
        return
    assert result == target
    assert result.startswith("/") and not result.startswith("//")
    assert "\\" not in result
    assert not any(ord(c) < 32 or ord(c) == 127 for c in result)
    parts = urlsplit(result)
    assert not parts.scheme and not parts.netloc
    # Resolved the way a browser resolves a Location header, it stays on this host.
    assert urlsplit(urljoin("https://rembuk.example/auth/login", result)).netloc == (
        "rembuk.example")
    assert safe_next(result, FALLBACK) == result
