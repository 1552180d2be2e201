"""The trace viewer (textrepr.html): the page's structure and escaping, then the page itself in headless Chromium
(folds that open onto their decoded payloads, truncated middles that expand in place, search, line links,
themes, nothing injected runs, no console errors), and every corpus trace's page checked marker by marker.

The browser tests need Chromium (/usr/bin/chromium, Debian's ``chromium`` package) and Playwright's Python
package (the ``test`` extra); without them they skip, except under ``TEXTREPR_REQUIRE_BROWSER=1`` (CI).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import conformance as c
import textrepr
from textrepr import markers
from textrepr.html import HTML_OPTIONS, PageItem, items_from_bytes, render_page, shown

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "tests" / "goldens" / "requests"
CHROMIUM = os.environ.get("TEXTREPR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PLACEHOLDER = "\ue000"  # stands for a nested marker when a payload is compared with what the page shows

# A trace whose ids, names and texts try to break out of the page.
HOSTILE = {"event_type": "$ai_trace", "data": {
    "trace": {"id": "t<b>", "properties": {"$ai_span_name": "</title><script>window.__pwned=1</script>"}},
    "hierarchy": [
        {"event": {"id": 'x" onmouseover="window.__pwned=2', "event": "$ai_span", "properties": {
            "$ai_span_name": "<img src=x onerror=\"window.__pwned=3\">",
            "$ai_input_state": "</span></div><script>window.__pwned=4</script>\n<<<TRUNCATED|PHNjcmlwdD4=|8>>>",
            "$ai_output_state": "<<<GEN_EXPANDABLE|a|b|PGI+eDwvYj4=>>> & <<<EVENT_LINK|e|[EVENT]>>>"}},
         "children": []},
        {"event": {"id": "</script><script>window.__pwned=5</script>", "event": "$pageview", "properties": {}},
         "children": []},
    ]}}


def page_of(*docs: tuple[str, Any]) -> str:
    return render_page([PageItem(t, **_body(d)) for t, d in docs], title="test")


def _body(request: Any) -> dict[str, Any]:
    body = textrepr.text_repr({**request, "options": {**request.get("options", {}), **HTML_OPTIONS}})
    return {"text": body["text"], "metadata": body["metadata"]}


def own(name: str) -> dict[str, Any]:
    return json.loads((OWN / f"{name}.json").read_text("utf-8"))


def marker_tree(text: str) -> list[dict[str, Any]]:
    """Preorder list of the markers of ``text`` and of their payloads: kind, and what the page shows for the
    payload (text shown as is, each nested marker as PLACEHOLDER + kind)."""
    out: list[dict[str, Any]] = []

    def walk(t: str) -> None:
        for seg in markers.parse(t):
            if seg.kind == "text":
                continue
            entry: dict[str, Any] = {"kind": seg.kind}
            out.append(entry)
            if seg.kind == "event_link":
                entry["id"] = seg.event_id
                continue
            entry["shows"] = "".join(shown(s.raw) if s.kind == "text" else PLACEHOLDER + s.kind
                                     for s in markers.parse(seg.content or ""))
            walk(seg.content or "")

    walk(text)
    return out


# ----------------------------------------------------------------------------- the page without a browser


def test_page_is_deterministic_and_self_contained() -> None:
    docs = [("trace", own("trace_tree")), ("gen", own("long_text_truncated"))]
    page = page_of(*docs)
    assert page == page_of(*docs)
    assert page.count("<script") == 1 and page.count("<style") == 1
    refs = [r for tag in re.findall(r"<[a-zA-Z][^>]*>", page) for r in re.findall(r"\s(?:src|href|action)=(\S+)", tag)]
    assert refs and all(r.startswith('"#') for r in refs), "a reference outside the page"
    assert "@import" not in page and "url(" not in page
    # the Content-Security-Policy allows exactly the page's own script
    script = page[page.index("<script>") + 8:page.index("</script>")]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "default-src 'none'" in page


def test_every_marker_becomes_one_element() -> None:
    req = own("trace_tree")
    text = _body(req)["text"]
    page = page_of(("t", req))
    tree = marker_tree(text)
    for kind, cls in (("gen", "mk gen"), ("tools", "mk tools"), ("truncated", "mk trunc"),
                      ("event_link", "mk evlink")):
        assert page.count(f'class="{cls}"') == sum(m["kind"] == kind for m in tree) > 0, kind


def test_lines_are_numbered_like_include_line_numbers() -> None:
    req = own("trace_tree")
    text = _body(req)["text"]
    numbered = textrepr.text_repr({**req, "options": {**HTML_OPTIONS, "include_line_numbers": True}})["text"]
    page = page_of(("t", req))
    ids = re.findall(r'<div class="ln" id="L(\d+)"><a class="n" href="#L\1"', page)
    assert [int(i) for i in ids] == list(range(1, text.count("\n") + 2)) == list(
        range(1, len(numbered.split("\n")) + 1))
    two = page_of(("a", req), ("b", own("manual_capture")))
    assert 'id="d2-L1"' in two and 'href="#d2"' in two and 'id="L1"' not in two


def test_event_text_is_escaped() -> None:
    page = page_of(("<i>hostile</i>", HOSTILE))
    body = page[page.index("<body>"):]
    assert "<img" not in body and "<i>" not in body and "<b>" not in body
    assert body.count("<script") == 1
    assert "&lt;/TITLE&gt;&lt;SCRIPT&gt;" in body
    assert 'onmouseover="' not in body


def test_control_characters_are_shown_as_pictures() -> None:
    item = PageItem("c", "a\x00b\x1b[31m\rc\td\x7f\ne")
    page = render_page([item])
    assert "a\u2400b\u241b[31m\u240dc\td\u2421" in page
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", page)


def test_items_from_bytes_shapes() -> None:
    trace = (ROOT / "examples" / "trace.json").read_bytes()
    assert [i.title for i in items_from_bytes("t.json", trace)] == ["t.json"]
    arr = json.dumps([json.loads(trace), own("evaluation"), 5]).encode()
    items = items_from_bytes("a.json", arr)
    assert [i.title for i in items] == ["a.json #1", "a.json #2", "a.json #3"]
    assert items[0].metadata["event_type"] == "$ai_trace" and items[1].text and items[2].error is not None
    # own options are kept, the viewer's (markers on, no line numbers) and the caller's override them
    req = {**json.loads(trace), "options": {"include_markers": False, "include_line_numbers": True, "collapsed": True}}
    (it,) = items_from_bytes("r.json", json.dumps(req).encode(), {"max_depth": 0})
    want = textrepr.text_repr({**req, "options": {**req["options"], **HTML_OPTIONS, "max_depth": 0}})
    assert (it.text, it.metadata) == (want["text"], want["metadata"])
    assert items_from_bytes("bad.json", b"{nope")[0].error["detail"].startswith("JSON parse error")


# ----------------------------------------------------------------------------- in Chromium


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'Playwright is not installed (pip install ".[test]")'
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; or set TEXTREPR_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("TEXTREPR_REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"TEXTREPR_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(f"browser tests need headless Chromium and Playwright: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page opened from a file, recording console errors, page errors and every request it makes."""

    def __init__(self, browser: Any, html: str, tmp_path: Path, fragment: str = "") -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        path = tmp_path / "page.html"
        path.write_text(html, "utf-8")
        self.url = path.as_uri()
        self.ctx = browser.new_context(viewport={"width": 1200, "height": 900})
        self.page = self.ctx.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(self.url + fragment)

    def close(self) -> None:
        self.ctx.close()
        assert not self.errors, self.errors
        assert all(u.startswith(self.url) for u in self.requests), self.requests


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(html: str, fragment: str = "") -> Any:
        pages.append(Page(browser, html, tmp_path, fragment))
        return pages[-1].page

    yield opener
    for p in pages:
        p.close()  # also checks: no console errors, no request leaving the file


def test_browser_gen_node_opens_onto_its_payload(open_page: Any) -> None:
    req = own("trace_tree")
    tree = [m for m in marker_tree(_body(req)["text"]) if m["kind"] == "gen"]
    page = open_page(page_of(("trace", req)))
    node = page.locator(".mk.gen").first
    body = node.locator(":scope > .body")
    assert body.is_hidden()
    node.locator(":scope > .fold").click()
    assert body.is_visible()
    assert node.locator(":scope > .fold").get_attribute("aria-expanded") == "true"
    assert body.text_content() == tree[0]["shows"]  # the first node's payload has no nested marker
    node.locator(":scope > .fold").click()
    assert body.is_hidden()


def test_browser_truncated_middle_expands_in_place(open_page: Any) -> None:
    req = own("long_text_truncated")
    (seg,) = [s for s in markers.parse(_body(req)["text"]) if s.kind == "truncated"]
    page = open_page(page_of(("long", req)))
    mk = page.locator(".mk.trunc")
    fold = mk.locator(":scope > .fold")
    assert fold.text_content() == f"... ({seg.hidden} chars truncated)" and fold.is_visible()
    before = page.locator("#L7").text_content()
    fold.click()
    assert mk.locator(":scope > .body").text_content() == shown(seg.content or "")
    # in place: the middle sits between the head and the tail on the same line of the page
    assert page.locator("#L7").text_content() == before.replace(
        f"... ({seg.hidden} chars truncated)", f"... ({seg.hidden} chars truncated)" + (seg.content or ""))


def test_browser_nested_folds_and_tools(open_page: Any) -> None:
    req = own("trace_tree")
    tree = marker_tree(_body(req)["text"])
    page = open_page(page_of(("trace", req)))
    gen = page.locator(".mk.gen").nth(1)
    tools = gen.locator(".mk.tools").first
    gen.locator(":scope > .fold").click()
    assert tools.is_visible() and tools.locator(":scope > .body").is_hidden()
    tools.locator(":scope > .fold").click()
    want = [m["shows"] for m in tree if m["kind"] == "tools"][0]
    assert tools.locator(":scope > .body").text_content() == want
    assert want.startswith("AVAILABLE TOOLS: 6")
    page.click("#collapse")
    assert page.locator(".mk > .body:visible").count() == 0
    page.click("#expand")
    assert page.locator(".mk > .body[hidden]").count() == 0
    assert page.locator(".mk > .body:visible").count() == len(tree) - 1  # all but the event link


def test_browser_event_link_is_labelled(open_page: Any) -> None:
    page = open_page(page_of(("trace", own("trace_tree"))))
    link = page.locator(".mk.evlink")
    assert link.count() == 1 and link.text_content() == "[EVENT]"
    assert link.get_attribute("data-event-id") == "pv-1" and "pv-1" in link.get_attribute("title")
    label = page.evaluate("getComputedStyle(document.querySelector('.evlink'), '::after').content")
    assert "pv-1" in label


def test_browser_hostile_text_shows_as_text_and_runs_nothing(open_page: Any) -> None:
    text = _body(HOSTILE)["text"]
    page = open_page(page_of(("<i>hostile</i>", HOSTILE), ("lookalikes", own("lookalike_markup"))))
    page.click("#expand")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img, main script, main i, main b").count() == 0
    shown_text = page.locator("#d1 .code").text_content()
    assert "</TITLE><SCRIPT>WINDOW.__PWNED=1</SCRIPT>" in shown_text
    assert "</span></div><script>window.__pwned=4</script>" in shown_text
    # the look-alike markers were neutralised (D11): shown as text, never folded
    assert "<<<\u200bTRUNCATED|PHNjcmlwdD4=|8>>>" in shown_text
    assert page.locator("#d1 .mk").count() == sum(1 for _ in marker_tree(text))
    look = page.locator("#d2 .code").text_content()
    assert "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\"> & <b>bold</b>" in look
    assert "<<<\u200bTRUNCATED|PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==|25>>>" in look
    assert page.locator("#d2 .mk").count() == 0
    page.hover("#d1 .mk.gen > .fold")
    assert page.evaluate("window.__pwned") is None


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` (Playwright's wait_for_function evaluates strings, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(20)


def test_browser_search_opens_folded_matches(open_page: Any) -> None:
    page = open_page(page_of(("trace", own("trace_tree"))))
    page.fill("#q", "Paragraph 20:")
    wait_until(page, "document.getElementById('count').textContent !== ''")
    assert page.locator("#count").text_content() == "1 / 1"
    hit = page.locator("mark.cur")
    assert hit.text_content() == "Paragraph 20:" and hit.is_visible()  # its gen node and truncated middle opened
    page.fill("#q", "gpt-4o-mini")
    wait_until(page, "/\\/ [0-9]+$/.test(document.getElementById('count').textContent) && "
                     "document.querySelector('mark.cur').textContent === 'gpt-4o-mini'")
    n = page.locator("main mark").count()
    assert n >= 2 and page.locator("#count").text_content() == f"1 / {n}"
    page.press("#q", "Enter")
    assert page.locator("#count").text_content() == f"2 / {n}"
    page.fill("#q", "")
    wait_until(page, "document.querySelectorAll('main mark').length === 0")
    assert page.locator("#d1 .code, .code").first.text_content() == page.locator(".code").first.text_content()


def test_browser_line_links_and_themes(open_page: Any) -> None:
    page = open_page(page_of(("trace", own("trace_tree"))), "#L9")
    assert page.evaluate("document.querySelector(':target').id") == "L9"
    page.click("#L6 .n")
    assert page.evaluate("location.hash") == "#L6"
    bg = "getComputedStyle(document.body).backgroundColor"
    page.click("#theme")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    light = page.evaluate(bg)
    page.click("#theme")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(bg) != light
    assert page.evaluate("localStorage.getItem('textrepr-theme')") == "dark"
    # Remembered on load. Chromium commits localStorage to its storage process asynchronously, so a reload
    # right after the click can still read the old value (seen once in CI): reload until the stored choice
    # shows, a bounded number of times. A fresh page has no stored choice, so only the saved one gives "dark".
    for _ in range(50):
        page.reload()
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"


# What the page shows for every marker, in document (pre)order, read from the DOM in one call.
_READ_MARKERS = """() => {
  const P = "\\ue000", out = [];
  const shows = (body) => Array.from(body.childNodes).map(n =>
      n.nodeType === 3 ? n.data : P + n.dataset.kind).join("");
  document.querySelectorAll("main .code").forEach((code, doc) => {
    code.querySelectorAll(".mk").forEach(mk => {
      const e = {doc, kind: mk.dataset.kind};
      if (mk.dataset.kind === "event_link") e.id = mk.dataset.eventId;
      else {
        const fold = mk.querySelector(":scope > .fold"), body = mk.querySelector(":scope > .body");
        e.hidden = body.hidden;
        fold.click();
        e.visible = body.checkVisibility();
        e.shows = shows(body);
      }
      out.push(e);
    });
  });
  return out;
}"""


def _corpus_traces(which: str) -> list[tuple[str, bytes]]:
    """(name, request bytes): the corpus's traces, or the requests of every golden trace (own options kept)."""
    if which == "traces":
        return [(p.name, p.read_bytes()) for p in sorted((c.SHARED / "corpus" / "traces").glob("*.json"))]
    out = []
    for p in sorted((c.GOLDEN / "traces").glob("*.json")):
        case = c.load_case(p)
        if case["status"] == 200:
            out.append((p.name, c.request_bytes(case["request"])))
    return out


@c.needs_corpus
@pytest.mark.parametrize("which", ["traces", "golden-traces"])
def test_browser_every_corpus_trace(open_page: Any, which: str) -> None:
    """Every corpus trace through `textrepr html`'s route: the page's folded elements are exactly the
    rendering's markers, each folded at first and revealing its decoded payload when clicked."""
    files = _corpus_traces(which)
    assert len(files) >= 10
    items: list[PageItem] = []
    expected: list[dict[str, Any]] = []
    for doc, (name, raw) in enumerate(files):
        (it,) = items_from_bytes(name, raw)
        assert it.text is not None, (name, it.error)
        items.append(it)
        for m in marker_tree(it.text):
            m["doc"] = doc
            if m["kind"] != "event_link":
                m.update(hidden=True, visible=True)
            expected.append(m)
    page = open_page(render_page(items, title="corpus traces"))
    got = page.evaluate(_READ_MARKERS)
    assert len(got) == len(expected) and sum(m["kind"] != "event_link" for m in expected) > 100
    for g, w in zip(got, expected):
        assert g == w, (files[w["doc"]][0], w["kind"])
