"""A trace viewer: renderings as one self-contained HTML page, shown the way PostHog's UI shows them.

``render_page(items)`` builds the page from ``markers.parse`` of each rendered text: every ``GEN_EXPANDABLE``
node and ``TOOLS_EXPANDABLE`` list is a folded button that opens its decoded content in place, every
``TRUNCATED`` middle expands in place, ``EVENT_LINK`` nodes are labelled with their event id, the top-level
lines are numbered in a gutter whose numbers are links (``#L45``; ``#d2-L45`` for the second of several
renderings), and a toolbar holds a search box, expand/collapse-all and a light/dark/auto theme switch.

Safety: every piece of text is HTML-escaped here (event text can never become markup), the page's only script
and style are this module's constants, and a Content-Security-Policy lets nothing else run or load (no network,
no inline event handlers, no other script). Control characters other than newline and tab are shown as their
Unicode control pictures (U+2400 block), because HTML cannot carry them faithfully. Same input, same bytes.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import markers
from .render.values import jdump

__all__ = [
    "HTML_OPTIONS", "PageItem", "item", "items_from_bytes", "render_page", "shown",
]

# What the viewer renders with unless told otherwise: markers on (they are what it folds), no "L01: " prefixes
# (the gutter numbers lines itself, the same way).
HTML_OPTIONS: Mapping[str, Any] = {"include_markers": True, "include_line_numbers": False}

# Control characters other than tab and newline: HTML cannot carry them, so they show as control pictures.
_SHOWN: dict[int, str] = {c: chr(0x2400 + c) for c in range(32) if c not in (9, 10)}
_SHOWN[0x7F] = "\u2421"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _esc(s: str) -> str:
    """Text or attribute value as HTML (str.replace runs in C; the rare control characters last)."""
    if "&" in s:
        s = s.replace("&", "&amp;")
    s = s.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    return s.translate(_SHOWN) if _CONTROL.search(s) else s


def shown(s: str) -> str:
    """What the page displays for text ``s``: ``s`` with control characters as control pictures."""
    return s.translate(_SHOWN)


@dataclass(frozen=True)
class PageItem:
    """One rendering on the page: its heading, and either a rendered text (+ metadata) or an error body."""

    title: str
    text: str | None = None
    metadata: Mapping[str, Any] | None = None
    error: Any = None


def item(title: str, rendering: Any) -> PageItem:
    """A ``PageItem`` from a ``textrepr.Rendering`` or a ``text_repr`` response body."""
    if isinstance(rendering, PageItem):
        return rendering
    if isinstance(rendering, Mapping):
        return PageItem(title, rendering["text"], rendering.get("metadata"))
    return PageItem(title, rendering.text, rendering.metadata)


# ----------------------------------------------------------------------------- text -> HTML


def _marker_html(seg: markers.Segment, column: int, out: list[str]) -> None:
    """One marker; ``column`` is its offset in its line (a node's content is indented under it)."""
    kind = seg.kind
    if kind == "event_link":
        eid = _esc(seg.event_id or "")
        out.append(f'<span class="mk evlink" data-kind="event_link" data-event-id="{eid}" '
                   f'title="linked event {eid}">{_esc(seg.display or "")}</span>')
        return
    if kind == "truncated":
        out.append(f'<span class="mk trunc" data-kind="truncated" data-hidden="{seg.hidden}">'
                   f'<button type="button" class="fold" aria-expanded="false" title="show the hidden middle">'
                   f'<span class="lbl">... ({seg.hidden} chars truncated)</span></button>'
                   '<span class="body" hidden>')
    else:
        attrs = f' data-event-id="{_esc(seg.event_id or "")}"' if kind == "gen" else ""
        out.append(f'<span class="mk {kind}" data-kind="{kind}"{attrs}>'
                   f'<button type="button" class="fold" aria-expanded="false">{_esc(seg.display or "")}</button>'
                   f'<span class="body block" style="margin-left:{column + 4}ch" hidden>')
    _content_html(seg.content or "", out)
    out.append("</span></span>")


def _content_html(text: str, out: list[str]) -> None:
    """A decoded payload: its text escaped, its own markers folded in turn."""
    line_start = 0
    for seg in markers.parse(text):
        if seg.kind == "text":
            out.append(_esc(seg.raw))
        else:
            _marker_html(seg, seg.start - line_start, out)
        nl = seg.raw.rfind("\n")
        if nl >= 0:
            line_start = seg.start + nl + 1


def _lines_html(text: str, prefix: str, out: list[str]) -> int:
    """The top-level text, one numbered ``div`` per line; returns the number of lines."""
    width = len(str(text.count("\n") + 1))
    n = 1
    line_start = 0

    def open_line(k: int) -> None:
        lid = f"{prefix}L{k}"
        out.append(f'<div class="ln" id="{lid}"><a class="n" href="#{lid}" style="width:{width + 1}ch">{k}</a>'
                   '<span class="t">')

    open_line(1)
    for seg in markers.parse(text):
        if seg.kind == "text":
            pieces = seg.raw.split("\n")
            out.append(_esc(pieces[0]))
            for piece in pieces[1:]:
                n += 1
                out.append("</span></div>")
                open_line(n)
                out.append(_esc(piece))
        else:
            _marker_html(seg, seg.start - line_start, out)
            n += seg.raw.count("\n")  # a field holding a newline: the next line's number moves on
        nl = seg.raw.rfind("\n")
        if nl >= 0:
            line_start = seg.start + nl + 1
    out.append("</span></div>")
    return n


def _meta_line(meta: Mapping[str, Any] | None, lines: int) -> str:
    parts: list[str] = []
    if meta:
        if meta.get("event_type"):
            parts.append(str(meta["event_type"]))
        if meta.get("trace_id"):
            parts.append(f"trace {meta['trace_id']}")
        if meta.get("event_id"):
            parts.append(f"event {meta['event_id']}")
        if meta.get("char_count") is not None:
            parts.append(f"{meta['char_count']:,} chars")
    parts.append(f"{lines:,} lines")
    if meta and meta.get("truncated"):
        parts.append("sampled to max_length")
    return " · ".join(parts)


# ----------------------------------------------------------------------------- page

_STYLE = """
:root{--bg:#fff;--fg:#1d1f24;--muted:#6b7180;--line:#e6e8ee;--gutter:#f6f7f9;--accent:#1d4aff;--chip:#eef1ff;
--trunc:#fff4d6;--mark:#ffe066;--cur:#ff9f1c;--target:#fff8c5;--err:#b42318;color-scheme:light}
:root[data-theme=dark]{--bg:#16181d;--fg:#e6e8ee;--muted:#9aa1ae;--line:#2a2e37;--gutter:#1c1f26;--accent:#8ea6ff;
--chip:#232a45;--trunc:#3a3220;--mark:#6b5a00;--cur:#b35c00;--target:#2f2a12;--err:#ff8a80;color-scheme:dark}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#16181d;--fg:#e6e8ee;--muted:#9aa1ae;
--line:#2a2e37;--gutter:#1c1f26;--accent:#8ea6ff;--chip:#232a45;--trunc:#3a3220;--mark:#6b5a00;--cur:#b35c00;
--target:#2f2a12;--err:#ff8a80;color-scheme:dark}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
.bar{position:sticky;top:0;z-index:2;display:flex;gap:.5em;align-items:center;flex-wrap:wrap;padding:.5em 1em;
background:var(--gutter);border-bottom:1px solid var(--line)}
.bar h1{font-size:1em;margin:0 1em 0 0}
.bar input{font:inherit;padding:.2em .5em;min-width:16em;background:var(--bg);color:var(--fg);
border:1px solid var(--line);border-radius:4px}
.bar button{font:inherit;padding:.2em .6em;background:var(--bg);color:var(--fg);border:1px solid var(--line);
border-radius:4px;cursor:pointer}
#count{color:var(--muted);min-width:6em}
main{padding:0 1em 3em}
nav.index{margin:1em 0}
nav.index ol{margin:.3em 0;padding-left:2em}
nav.index a{color:var(--accent)}
.meta{color:var(--muted);margin:.2em 0 .6em}
h2{font-size:1.05em;margin:1.5em 0 0}
.code{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border:1px solid var(--line);
border-radius:6px;overflow:hidden}
.ln{display:flex}
.ln:target{box-shadow:inset 3px 0 var(--accent)}
.ln:target>.n{background:var(--target);color:var(--fg);font-weight:bold}
.n{flex:none;text-align:right;padding-right:1ch;color:var(--muted);background:var(--gutter);
text-decoration:none;user-select:none;border-right:1px solid var(--line);margin-right:1ch}
.n:hover{color:var(--accent)}
.t{flex:1;min-width:0;white-space:pre-wrap;overflow-wrap:anywhere;min-height:1.45em}
.body{white-space:pre-wrap}
.body.block{display:block;border-left:2px solid var(--line);padding-left:1ch}
.fold{font:inherit;color:var(--accent);background:var(--chip);border:0;border-radius:3px;padding:0 .3em;
cursor:pointer;text-align:left}
.fold::before{content:"[+] "}
.fold[aria-expanded=true]::before{content:"[\\2212] "}
.trunc>.fold{background:var(--trunc);color:var(--muted);font-style:italic}
.trunc>.fold::before{content:""}
.trunc>.fold[aria-expanded=true] .lbl{display:none}
.trunc>.fold[aria-expanded=true]::before{content:"\\2190 fold"}
.trunc>.body{background:var(--trunc)}
.evlink{background:var(--chip);color:var(--accent);border-radius:3px;padding:0 .3em}
.evlink::after{content:" " attr(data-event-id);color:var(--muted);font-size:.85em}
.err{color:var(--err);white-space:pre-wrap;font-family:ui-monospace,monospace}
mark{background:var(--mark);color:inherit}
mark.cur{background:var(--cur)}
"""

_SCRIPT = """
(function(){
"use strict";
var root=document.documentElement,main=document.querySelector("main");
function setOpen(mk,open){
  var b=mk.querySelector(":scope>.fold"),body=mk.querySelector(":scope>.body");
  if(!b||!body)return;
  b.setAttribute("aria-expanded",open?"true":"false");body.hidden=!open;
}
document.addEventListener("click",function(e){
  var b=e.target.closest&&e.target.closest("button.fold");
  if(b)setOpen(b.parentNode,b.getAttribute("aria-expanded")!=="true");
});
function all(open){main.querySelectorAll(".mk.gen,.mk.tools,.mk.trunc").forEach(function(mk){setOpen(mk,open);});}
document.getElementById("expand").addEventListener("click",function(){all(true);});
document.getElementById("collapse").addEventListener("click",function(){all(false);});
var themes=["auto","light","dark"],tb=document.getElementById("theme");
function applyTheme(t){if(t==="auto")delete root.dataset.theme;else root.dataset.theme=t;tb.textContent="theme: "+t;}
var saved="auto";try{saved=localStorage.getItem("textrepr-theme")||"auto";}catch(e){}
applyTheme(themes.indexOf(saved)>=0?saved:"auto");
tb.addEventListener("click",function(){
  var t=themes[(themes.indexOf(tb.textContent.slice(7))+1)%3];applyTheme(t);
  try{localStorage.setItem("textrepr-theme",t);}catch(e){}
});
var q=document.getElementById("q"),count=document.getElementById("count"),marks=[],cur=-1,timer=0;
function clear(){
  marks.forEach(function(m){var p=m.parentNode;if(!p)return;p.replaceChild(document.createTextNode(m.textContent),m);p.normalize();});
  marks=[];cur=-1;
}
function search(){
  clear();var s=q.value;if(!s){count.textContent="";return;}
  var low=s.toLowerCase(),nodes=[],w=document.createTreeWalker(main,NodeFilter.SHOW_TEXT,{acceptNode:function(n){
    return n.parentNode.closest(".n,nav,h2,.meta")?NodeFilter.FILTER_REJECT:NodeFilter.FILTER_ACCEPT;}});
  while(w.nextNode())nodes.push(w.currentNode);
  for(var k=0;k<nodes.length&&marks.length<10000;k++){
    var n=nodes[k],d=n.data,hay=d.toLowerCase(),needle=low;
    if(hay.length!==d.length||needle.length!==s.length){hay=d;needle=s;}
    var i=hay.indexOf(needle);if(i<0)continue;
    var f=document.createDocumentFragment(),last=0;
    while(i>=0){
      f.appendChild(document.createTextNode(d.slice(last,i)));
      var m=document.createElement("mark");m.textContent=d.slice(i,i+s.length);f.appendChild(m);marks.push(m);
      last=i+s.length;i=hay.indexOf(needle,last);
    }
    f.appendChild(document.createTextNode(d.slice(last)));n.parentNode.replaceChild(f,n);
  }
  count.textContent=marks.length+(marks.length===1?" match":" matches");
  if(marks.length)go(0);
}
function go(k){
  if(!marks.length)return;
  if(cur>=0)marks[cur].classList.remove("cur");
  cur=(k+marks.length)%marks.length;var m=marks[cur];m.classList.add("cur");
  for(var p=m.parentNode;p&&p!==main;p=p.parentNode){if(p.classList&&p.classList.contains("mk"))setOpen(p,true);}
  count.textContent=(cur+1)+" / "+marks.length;
  m.scrollIntoView({block:"center"});
}
q.addEventListener("input",function(){clearTimeout(timer);timer=setTimeout(search,150);});
q.addEventListener("keydown",function(e){
  if(e.key==="Enter"){e.preventDefault();if(q.value&&!marks.length)search();else go(cur+(e.shiftKey?-1:1));}
});
})();
"""


def _csp_hash(s: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")


# Only this module's script may run (its hash); styles may be inline (the page positions nodes with style
# attributes). Nothing may load: no network, even from a page saved elsewhere.
_CSP = (f"default-src 'none'; script-src '{_csp_hash(_SCRIPT)}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


def render_page(items: Iterable[PageItem] | Sequence[tuple[str, Any]], *, title: str = "textrepr") -> str:
    """One self-contained HTML page of ``items``: ``PageItem``s, or ``(title, rendering)`` pairs where the
    rendering is a ``textrepr.Rendering`` or a ``text_repr`` response body. Render with markers on and line
    numbers off (``HTML_OPTIONS``) to get the foldable view; any other text is shown as it is."""
    docs = [x if isinstance(x, PageItem) else item(x[0], x[1]) for x in items]
    several = len(docs) > 1
    out: list[str] = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f'<div class="bar"><h1>{_esc(title)}</h1>'
        '<input id="q" type="search" placeholder="search" title="Enter: next match, Shift+Enter: previous" aria-label="search">'
        '<span id="count"></span><button type="button" id="expand">expand all</button>'
        '<button type="button" id="collapse">collapse all</button>'
        '<button type="button" id="theme">theme: auto</button></div>\n<main>'
    ]
    if several:
        out.append(f'<nav class="index"><strong>{len(docs)} renderings</strong><ol>')
        for k, d in enumerate(docs, 1):
            note = "invalid" if d.error is not None else str((d.metadata or {}).get("event_type") or "")
            out.append(f'<li><a href="#d{k}">{_esc(d.title)}</a> <span class="meta">{_esc(note)}</span></li>')
        out.append("</ol></nav>")
    for k, d in enumerate(docs, 1):
        out.append(f'\n<section class="doc" id="d{k}"><h2>{_esc(d.title)}</h2>')
        if d.text is None:
            out.append(f'<pre class="err">invalid request: {_esc(jdump(d.error))}</pre></section>')
            continue
        body: list[str] = []
        lines = _lines_html(d.text, f"d{k}-" if several else "", body)
        out.append(f'<p class="meta">{_esc(_meta_line(d.metadata, lines))}</p><div class="code">')
        out.extend(body)
        out.append("</div></section>")
    out.append(f"\n</main><script>{_SCRIPT}</script></body></html>\n")
    return "".join(out)


# ----------------------------------------------------------------------------- input documents -> items

def _documents(raw: bytes) -> list[Any]:
    """A JSON document (an array is a list of documents) or JSON Lines: the documents, or an ``InvalidRequest``
    in place of each one that does not parse."""
    from .errors import InvalidRequest
    from .parse import load_json

    try:
        doc = load_json(raw)
    except InvalidRequest as e:
        lines = [ln for ln in raw.split(b"\n") if ln.strip()]
        if len(lines) < 2:
            return [e]
        out: list[Any] = []
        for ln in lines:
            try:
                out.append(load_json(ln))
            except InvalidRequest as err:
                out.append(err)
        return out
    return list(doc) if type(doc) is list else [doc]


def _is_flat(docs: Sequence[Any]) -> bool:
    """Bare SDK-captured events that only make sense assembled: a ``$ai_trace`` event without a hierarchy, or
    events that name a parent or carry a ``uuid`` instead of an ``id``."""
    for d in docs:
        if type(d) is not dict or "event_type" in d or "data" in d or "hierarchy" in d or "trace" in d:
            return False
    for d in docs:
        props = d.get("properties")
        if d.get("event") == "$ai_trace" or ("uuid" in d and "id" not in d) or (
                type(props) is dict and "$ai_parent_id" in props):
            return True
    return False


def items_from_bytes(name: str, raw: bytes, options: Mapping[str, Any] | None = None, *,
                     assemble: bool | None = None, token_counter: Callable[[str], int] | None = None,
                     redactor: Any = None) -> list[PageItem]:
    """The page items of one input file: a request, bare event or bare trace, a JSON array or JSON Lines of
    them, or flat events (assembled into traces with :func:`textrepr.assemble_traces`). ``options``
    override each document's own; ``HTML_OPTIONS`` come first. Invalid documents become error items."""
    from .assembly import assemble_traces
    from .batch import as_request
    from .errors import InvalidRequest

    opts = {**HTML_OPTIONS, **(options or {})}
    kw = {"token_counter": token_counter, "redactor": redactor}  # as for text_repr (``redactor``: a Redactor)
    docs = _documents(raw)
    several = len(docs) > 1
    if assemble or (assemble is None and _is_flat(docs)):
        traces, orphans = assemble_traces(docs)
        out = [_render(f"{name}: trace {tid}", {"event_type": "$ai_trace", "data": data}, opts, **kw)
               for tid, data in traces.items()]
        if orphans:
            out.append(PageItem(f"{name}: events in no trace", error={
                "detail": f"{len(orphans)} events belong to no trace", "input_indices": list(orphans)}))
        return out
    items = []
    for k, doc in enumerate(docs, 1):
        title = f"{name} #{k}" if several else name
        if isinstance(doc, InvalidRequest):
            items.append(PageItem(title, error=doc.body))
        else:
            items.append(_render(title, as_request(doc), opts, **kw))
    return items


def _render(title: str, request: Any, options: Mapping[str, Any], **kw: Any) -> PageItem:
    from .api import text_repr
    from .errors import InvalidRequest

    if type(request) is dict:
        own = request.get("options")
        request = {**request, "options": {**(own if type(own) is dict else {}), **options}}
    try:
        body = text_repr(request, **kw)  # token_counter, redactor
    except InvalidRequest as e:
        return PageItem(title, error=e.body)
    return PageItem(title, body["text"], body["metadata"])
