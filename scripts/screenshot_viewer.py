#!/usr/bin/env python3
"""Regenerate docs/viewer.png: the viewer on tests/goldens/requests/trace_tree.json with one node open.

    python scripts/screenshot_viewer.py     # needs Playwright (the test extra) and Chromium (/usr/bin/chromium)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from textrepr.html import items_from_bytes, render_page  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    src = ROOT / "tests" / "goldens" / "requests" / "trace_tree.json"
    items = items_from_bytes("trace_tree.json", src.read_bytes())
    page_html = render_page(items, title="textrepr html trace_tree.json")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "page.html"
        path.write_text(page_html, "utf-8")
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 640}, device_scale_factor=1)
        page.goto(path.as_uri() + "#L6")
        page.locator(".mk.gen").nth(1).locator(":scope > .fold").click()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ROOT / "docs" / "viewer.png"))
        browser.close()
    print("docs/viewer.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
