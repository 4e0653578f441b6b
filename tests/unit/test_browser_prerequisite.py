"""Chromium is optional on a person's machine (the browser tests skip) and required under CI (they
fail), as the README says."""

from __future__ import annotations

import pytest

from tests.e2e import browser


def outcome() -> tuple[str, str]:
    """What `require_chromium()` does, caught here so a skip cannot pass for a failure."""
    try:
        return "ran", browser.require_chromium()
    except pytest.skip.Exception as exc:
        return "skipped", str(exc)
    except pytest.fail.Exception as exc:
        return "failed", str(exc)


@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.setattr(browser, "find_chromium", lambda: None)


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_without_chromium_a_person_skips(no_chromium, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    result, message = outcome()
    assert result == "skipped", message
    assert "apt-get install chromium" in message


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_without_chromium_ci_fails(no_chromium, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    result, message = outcome()
    assert result == "failed", message
    assert "CI is set" in message


def test_with_chromium_the_path_is_returned(monkeypatch):
    monkeypatch.setattr(browser, "find_chromium", lambda: "/opt/chromium")
    monkeypatch.setenv("CI", "true")
    assert outcome() == ("ran", "/opt/chromium")
