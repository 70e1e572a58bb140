"""The page in a real browser (headless Chromium): every pair listed, filtering by verdict and
service works when clicked, nothing logged an error; a screenshot is taken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from equivalence_tests.study import data
from equivalence_tests.study_tests.browser import Chromium, executable

VISIBLE = ("[...document.querySelectorAll('{}')]"
           ".filter(el => el.offsetParent !== null).map(el => el.dataset.pair)")
ROWS = VISIBLE.format("#index tbody tr[data-pair]")
SECTIONS = VISIBLE.format("section.pair")


@pytest.fixture(scope="module")
def browser(study_files: tuple[data.Study, Path, Path]) -> Iterator[Chromium]:
    binary = executable()
    assert binary, ("no chromium: install Debian's `chromium` package (`.ci/run` does: "
                    "apt-get install -y chromium)")
    chromium = Chromium(binary)
    try:
        chromium.open(study_files[2].resolve().as_uri())
        yield chromium
    finally:
        chromium.close()


def names(study: data.Study, verdict: str | None = None, service: str | None = None,
          ) -> list[str]:
    return [name for name, entry in study["pairs"].items()
            if verdict in (None, data.verdict_group(entry["status"]))
            and service in (None, entry["service"])]


def test_every_pair_is_listed_and_a_screenshot_is_taken(browser: Chromium, study: data.Study,
                                                        tmp_path: Path) -> None:
    assert browser.evaluate(ROWS) == names(study)
    assert browser.evaluate(SECTIONS) == names(study)
    counts = browser.evaluate("document.getElementById('counts').textContent")
    assert counts.startswith(f"{len(study['pairs'])} pairs: ")
    png = browser.screenshot(tmp_path / "study.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_filtering_by_verdict_and_service_by_clicking(browser: Chromium,
                                                      study: data.Study) -> None:
    verdicts = {data.verdict_group(e["status"]) for e in study["pairs"].values()}
    assert {"equivalent", "known divergence", "divergent"} <= verdicts
    for verdict in sorted(verdicts):
        browser.click(f'button[data-filter="verdict"][data-value="{verdict}"]')
        assert browser.evaluate(ROWS) == names(study, verdict), verdict
        assert browser.evaluate(SECTIONS) == names(study, verdict), verdict
        pressed = browser.evaluate("[...document.querySelectorAll('button[aria-pressed=true]"
                                   "[data-filter=verdict]')].map(b => b.dataset.value)")
        assert pressed == [verdict]
    browser.click('button[data-filter="verdict"][data-value="all"]')
    assert browser.evaluate(ROWS) == names(study)
    (service,) = {e["service"] for e in study["pairs"].values()}
    browser.click(f'button[data-filter="service"][data-value="{service}"]')
    browser.click('button[data-filter="verdict"][data-value="divergent"]')
    assert browser.evaluate(ROWS) == names(study, "divergent", service)
    browser.click('button[data-filter="verdict"][data-value="all"]')
    browser.click('button[data-filter="service"][data-value="all"]')
    assert browser.evaluate(ROWS) == names(study)


def test_the_console_logged_no_error(browser: Chromium) -> None:
    browser.evaluate("document.readyState")  # everything the page did so far has been heard
    assert browser.console_errors() == []
    # The check can see an error: one the page logs now is heard.
    browser.evaluate("console.error('probe: heard')")
    assert browser.console_errors() == ["probe: heard"]
