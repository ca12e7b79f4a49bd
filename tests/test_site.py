"""Browser check of the built site (_build/html), one test per page.

Serves _build/html on 127.0.0.1 and opens every page in headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright). For each page:

- no request leaves 127.0.0.1 (all others are recorded and blocked);
- every formula is typeset by MathJax, with no TeX error and no undefined macro;
- every <img> has loaded;
- nothing is logged as an error in the console and no script throws;
- every internal link points to a file of the site and, with a #fragment, to an
  element with that id (or name) on the target page;
- no widget output is left on the page (widgets are for running locally).

Build the site first: make book (make test does it when the site is stale).
"""

from __future__ import annotations

import functools
import http.server
import os
import posixpath
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Not pages of the book: assets, page sources, execution reports.
SKIP_DIRS = {"_static", "_sources", "_images", "reports"}
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def site_pages() -> list[str]:
    if not (SITE / "index.html").is_file():
        return []
    pages = []
    for path in SITE.rglob("*.html"):
        rel = path.relative_to(SITE)
        if rel.parts[0] not in SKIP_DIRS:
            pages.append(rel.as_posix())
    return sorted(pages)


PAGES = site_pages()


# --- static HTML: ids and redirects ---------------------------------------------

class _Anchors(HTMLParser):
    """Collects every id and name attribute, and a <meta http-equiv=refresh> target."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()
        self.refresh: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            content = attrs.get("content") or ""
            _, _, url = content.partition("url=")
            self.refresh = url.strip() or None


@functools.lru_cache(maxsize=None)
def parse_html(rel_path: str) -> _Anchors:
    parser = _Anchors()
    parser.feed((SITE / rel_path).read_text(encoding="utf-8", errors="replace"))
    return parser


def check_link(href: str, url: str, origin: str) -> str | None:
    """Return a problem with an internal link, or None when it resolves."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None  # an external link: a link, not a request; not checked
    path = unquote(parts.path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    target = SITE / path
    if not target.is_file():
        return f"broken link {href!r}: {path} does not exist in _build/html"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in parse_html(path).anchors:
        return f"broken link {href!r}: no element with id {fragment!r} in {path}"
    return None


# --- fixtures -----------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def origin():
    """Serve _build/html on a free port of 127.0.0.1 for this module."""
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# --- in the page ----------------------------------------------------------------

WAIT_FOR_MATHJAX = """async () => {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; return true; }
  return false;
}"""

MATH_PROBLEMS = """() => {
  const problems = [];
  const snippet = (el) => el.textContent.trim().replace(/\\s+/g, " ").slice(0, 80);
  const hasMathJax = !!(window.MathJax && window.MathJax.startup);
  const tex = (item) => item.math.trim().replace(/\\s+/g, " ").slice(0, 120);
  document.querySelectorAll(".math").forEach((el) => {
    if (!el.querySelector("mjx-container")) {
      problems.push((hasMathJax ? "formula not typeset: " : "formula not typeset (MathJax not loaded): ") + snippet(el));
    }
  });
  // Each formula MathJax found, with its TeX source and its rendered root.
  const items = hasMathJax && window.MathJax.startup.document ? Array.from(window.MathJax.startup.document.math) : [];
  for (const item of items) {
    const root = item.typesetRoot;
    if (!root) continue;
    const error = root.querySelector("mjx-merror");
    if (error) {
      problems.push("MathJax error: " + (error.getAttribute("data-mjx-error") || "?") + " in: " + tex(item));
    }
    // An undefined macro is not an error for MathJax (noundefined): it shows in red.
    const red = Array.from(root.querySelectorAll("mjx-mtext")).some(
      (el) => (el.getAttribute("style") || "").replace(/\\s/g, "").includes("color:red"));
    if (red) problems.push("undefined TeX macro in: " + tex(item));
  }
  // TeX left as text outside code: delimiters that MathJax did not see.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = "PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, KBD, SAMP";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (!/\\\\\\(|\\\\\\[|\\$\\$/.test(text)) continue;
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    problems.push("raw TeX left in the page: " + text.trim().slice(0, 80));
  }
  return problems;
}"""

BROKEN_IMAGES = """async () => {
  const images = Array.from(document.images);
  images.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve);
    img.addEventListener("error", resolve);
    setTimeout(resolve, 5000);
  })));
  return images.filter((img) => !(img.complete && img.naturalWidth > 0))
               .map((img) => img.getAttribute("src"));
}"""

LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .map((a) => [a.getAttribute("href"), a.href])"""

WIDGET_VIEWS = """() => document.querySelectorAll(
  'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets, .widget-slider'
).length"""


# --- the test -------------------------------------------------------------------

if PAGES:
    PAGE_PARAMS = PAGES
else:
    PAGE_PARAMS = [pytest.param("", marks=pytest.mark.skip(reason="site not built: run make book"))]


@pytest.mark.parametrize("page_path", PAGE_PARAMS)
def test_page(page_path: str, browser, origin: str) -> None:
    problems: list[str] = []
    external: list[str] = []
    host = urlsplit(origin).netloc

    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            external.append(f"{request.method} {request.url}")

    def block(route):
        route.abort()  # never wait on the network

    def on_console(msg):
        if msg.type == "error":
            problems.append(f"console error: {msg.text} (at {msg.location.get('url', '?')})")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"uncaught script error: {exc}"))
    # Only requests to other hosts are routed (the regex is matched in the
    # browser); sending every local request through Python too slows each page.
    context.route(re.compile("^(?!" + re.escape(origin) + "/)"), block)

    # The book's root index.html is a redirect to the root page: check its
    # target exists, then check the page it lands on.
    refresh = parse_html(page_path).refresh
    try:
        response = page.goto(f"{origin}/{page_path}", wait_until="load")
        if refresh:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), refresh))
            problem = check_link(refresh, f"{origin}/{target}", origin)
            if problem:
                problems.append(f"redirect: {problem}")
            else:
                page.wait_for_url(f"{origin}/{target}*")
                page.wait_for_load_state("load")
        elif response is None or response.status != 200:
            problems.append(f"HTTP status {response and response.status} for the page itself")

        page.evaluate(WAIT_FOR_MATHJAX)
        problems += page.evaluate(MATH_PROBLEMS)
        problems += [f"image not loaded: {src}" for src in page.evaluate(BROKEN_IMAGES)]
        if page.evaluate(WIDGET_VIEWS):
            problems.append("widget output on the static site: tag the cell remove-output")
        for href, url in page.evaluate(LINKS):
            problem = check_link(href, url, origin)
            if problem:
                problems.append(problem)
    finally:
        context.close()

    problems = [f"request to another host: {r}" for r in dict.fromkeys(external)] + problems
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{page_path}: {len(problems)} problem(s)\n  " + "\n  ".join(problems)
