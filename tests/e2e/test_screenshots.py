"""The README's screenshots, made only on request so the suite does not rewrite them each run:

    REMBUK_SCREENSHOTS=1 .venv/bin/python -m pytest -q tests/e2e/test_screenshots.py

docs/screenshot.png: the principal's staff page at desktop width (1280 px);
docs/screenshot-phone.png: a teacher's home page at phone width (375 px), its first screen as
the phone shows it (a whole-page capture drew the fixed bottom bar across the middle).
Both are in Indonesian, the language a teacher's browser usually asks for.
"""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import PRINCIPAL, TEACHER

DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("REMBUK_SCREENSHOTS") != "1",
                       reason="set REMBUK_SCREENSHOTS=1 to rewrite docs/screenshot*.png"),
]


def test_screenshot_of_the_principals_staff_page(site):
    site.log_in(PRINCIPAL)
    site.open("/settings/school/")
    assert site.page.viewport_size["width"] == 1280
    site.page.screenshot(path=str(DOCS / "screenshot.png"), full_page=True)


def test_screenshot_of_a_teachers_home_on_a_phone(phone_site):
    phone_site.log_in(TEACHER)
    phone_site.open("/")
    assert phone_site.page.viewport_size["width"] == 375
    phone_site.page.screenshot(path=str(DOCS / "screenshot-phone.png"))
