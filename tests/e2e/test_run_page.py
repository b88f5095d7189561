"""The local runner's web page in a real headless browser (Debian's Chromium, driven by Playwright):
the run URL `job run --wait` prints opens the run's page, live while the run goes, with the runs
list, the steps, their status and logs, and artifacts that download."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_runner import LocalRunner

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("DBT_CLOUD_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Every wait of the browser is bounded by this (milliseconds); the whole test by the run's own wait.
STEP_MS = 30_000
#: Injected before the page's own script (as the browser's tooling, outside the page's CSP): every
#: status the run's page shows, in order.
STATUS_RECORDER = """
window.statusesShown = [];
new MutationObserver(() => {
  const shown = document.getElementById("run-status");
  const text = shown ? shown.textContent : null;
  if (text && window.statusesShown[window.statusesShown.length - 1] !== text) window.statusesShown.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
RUN_URL = re.compile(r"Run (\d+): (http://\S+/deploy/\d+/projects/\d+/runs/\d+/)")


def missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright; no browser download needed)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set DBT_CLOUD_TEST_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing_browser()
    if reason:
        pytest.skip(f"no headless browser to test the run page in: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=STEP_MS)
        try:
            yield launched
        finally:
            launched.close()


def start_waiting(runner: LocalRunner) -> tuple[subprocess.Popen[str], str, int]:
    """`job run --wait` in its own process, as a person runs it; the URL and run id it printed."""
    command = [sys.executable, "-m", "dbt_cloud", "job", "run", "--job-id", str(runner.jobs["build"]), "--wait"]
    command += ["--cause", "the run page test"]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    process = subprocess.Popen(
        command,
        env={**environment, **runner.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + STEP_MS / 1000
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = RUN_URL.search(line)
        if found:
            return process, found.group(2), int(found.group(1))
    process.kill()
    raise AssertionError("job run --wait printed no run URL:\n" + "".join(seen))


def test_the_printed_run_url_opens_the_runs_page(browser: Any, local_runner: LocalRunner, tmp_path: Path) -> None:
    process, url, run_id = start_waiting(local_runner)
    try:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(STEP_MS)
        page.add_init_script(STATUS_RECORDER)
        page.goto(url)

        # No token in what the server sent: the page asks for one and keeps it in the tab.
        assert local_runner.token not in page.content()
        page.fill("#token", local_runner.token)
        page.click("#token-form button[type=submit]")

        # The run's page, followed live until the run has finished (no reload).
        page.wait_for_selector("#run-title")
        assert page.text_content("#run-title") == f"Run {run_id}: Build"
        assert not page.is_visible("#token-form")
        # (Locators, not wait_for_function: the page's Content-Security-Policy forbids eval, rightly.)
        page.locator("#run-status", has_text=re.compile(r"^Success$")).wait_for()
        # Live: the page showed the run in progress first, and moved on by itself (one page load).
        statuses = page.evaluate("window.statusesShown")
        assert statuses[-1] == "Success"
        assert statuses[0] in ("Queued", "Starting", "Running"), statuses
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        steps = page.locator("#steps tbody tr")
        assert steps.count() >= 1
        assert any("dbt build" in text for text in steps.all_inner_texts())
        assert all("Success" in text for text in steps.all_inner_texts())
        logs = " ".join(page.locator("#logs pre").all_text_contents())
        assert "Completed successfully" in logs or "PASS=" in logs, logs[-2000:]

        # The runs list, with this run in it, its status and duration.
        row = page.locator("#runs-table tbody tr", has_text=f"Run {run_id}")
        row.wait_for()
        assert "Build" in row.inner_text()
        assert "Success" in row.inner_text()
        assert row.locator("a").get_attribute("href") == url.removeprefix(local_runner.base_url)

        # An artifact downloads, with the run's own content.
        link = page.locator("#artifacts a", has_text=re.compile(r"^manifest\.json$"))
        with page.expect_download() as started:
            link.click()
        saved = tmp_path / "manifest.json"
        started.value.save_as(saved)
        assert json.loads(saved.read_text())["metadata"]["dbt_schema_version"].startswith("https://")

        # The page's address and what it sent hold no token; the browser kept it in sessionStorage only.
        assert local_runner.token not in page.url
        assert page.evaluate("Object.values(sessionStorage)") == [local_runner.token]
        # The tab keeps the token across pages; the runs' earlier href (`/#/accounts/...`) opens the run too.
        page.goto(f"{local_runner.base_url}/#/accounts/{local_runner.account_id}/runs/{run_id}/")
        page.locator("#run-status", has_text=re.compile(r"^Success$")).wait_for()
        assert page.text_content("#run-title") == f"Run {run_id}: Build"
        context.close()
        assert process.wait(timeout=STEP_MS / 1000) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_refused_token_asks_again(browser: Any, local_runner: LocalRunner) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.goto(local_runner.base_url + "/")
    page.fill("#token", "not-a-token-of-this-runner")
    page.click("#token-form button[type=submit]")
    page.locator("#message", has_text="401").wait_for()
    assert page.is_visible("#token-form")
    assert page.evaluate("sessionStorage.length") == 0
    context.close()


def test_the_page_weakens_no_auth(local_runner: LocalRunner) -> None:
    """The page is served to anyone; the API it reads still wants a token, browser or not."""
    with httpx.Client(base_url=local_runner.base_url, timeout=30) as plain:
        page = plain.get("/deploy/1/projects/1/runs/1/", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert local_runner.token not in page.text
        script = plain.get("/_runner/run-page.js")
        assert script.status_code == 200
        assert "sessionStorage" in script.text
        runs = plain.get(f"/api/v2/accounts/{local_runner.account_id}/runs/", headers={"Accept": "text/html"})
        assert runs.status_code == 401
        # Programs probing the host still get JSON at `/`.
        assert plain.get("/").json()["name"] == "dbt-cloud local runner"
        assert plain.get("/_runner/nothing.js").status_code == 404
