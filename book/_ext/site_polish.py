"""The site as its readers meet it: phones, Chinese text, light pages.

Registered in ``_config.yml`` under ``sphinx: local_extensions``. Everything here
works on the built site, so every page (and every page of Parts II and III) gets
it without the authors doing anything. See CONTRIBUTING.md, "The website".

1. ``book/_static/site.css`` and ``site.js`` on every page: display equations that
   scroll inside their own box with the equation number beside them, tables that
   scroll with a hint, the navigation toggles of every width (the theme binds them
   to a hidden button), equation references that show the equation on hover or
   tap, search snippets without raw TeX.
2. Chinese marked as Chinese: every run of CJK characters in a page's text is
   wrapped in ``<span lang="zh-Hans">``, so the browser picks a CJK font and a
   screen reader a Chinese voice.
3. Glyphs that need no emoji font on the execution-status page (MyST-NB writes
   ✅ and ❌).
4. Only the assets the pages use are shipped (``build-finished``):

   - MathJax: ``tex-chtml.js``, its ``woff-v2`` fonts, the TeX extensions it
     loads on demand (autoload) and ``ui/lazy.js``; not the other 24 MB of
     sphinx-mathjax-offline's copy (other bundles, SVG output, speech rules);
   - Font Awesome: the theme's ``fontawesome.js`` (1.49 MB, every icon of three
     icon sets) is rewritten with only the icons that the pages and the theme's
     scripts name; the web fonts and source maps, which no page loads, are dropped.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[1] / "_static"

# --- Chinese text -------------------------------------------------------------

# CJK ideographs with the CJK and full-width punctuation that sits between them
# (（自适应梯度算法）, 、, 。).
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_RUN = re.compile(f"[{_CJK}]+(?:[ \u00b7/]*[{_CJK}]+)*")
HAS_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Elements whose text is not page text (or may hold no markup).
_RAW = ("script", "style", "title", "textarea", "option")
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)


def mark_chinese(html: str) -> str:
    """Wrap every run of Chinese in the text of ``html`` in <span lang="zh-Hans">."""
    if not HAS_IDEOGRAPH.search(html):
        return html
    out = []
    raw = None  # the raw-text element we are inside, if any
    for token in _TOKENS.split(html):
        if not token:
            continue
        if token.startswith("<"):
            tag = re.match(r"</?\s*([a-zA-Z0-9-]+)", token)
            name = tag.group(1).lower() if tag else ""
            if raw is None and name in _RAW and not token.startswith("</"):
                raw = name
            elif raw == name and token.startswith("</"):
                raw = None
            out.append(token)
        elif raw is None and HAS_IDEOGRAPH.search(token):
            out.append(CJK_RUN.sub(_wrap, token))
        else:
            out.append(token)
    return "".join(out)


def _wrap(match: re.Match) -> str:
    text = match.group(0)
    if not HAS_IDEOGRAPH.search(text):
        return text  # punctuation alone stays as it is
    return f'<span lang="zh-Hans">{text}</span>'


# --- status glyphs ----------------------------------------------------------------

GLYPHS = {"\u2705": "\u2714 ok", "\u274c": "\u2718 failed", "\u2714\ufe0f": "\u2714"}


def plain_glyphs(html: str) -> str:
    for emoji, plain in GLYPHS.items():
        html = html.replace(emoji, plain)
    return html


# --- assets -------------------------------------------------------------------------

MATHJAX_KEEP = (
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2/",
    "input/tex/extensions/",
    "ui/lazy.js",
)


def prune_mathjax(outdir: Path, keep: tuple[str, ...] = MATHJAX_KEEP) -> int:
    """Delete the files of _static/mathjax that no page loads; return bytes freed."""
    root = outdir / "_static" / "mathjax"
    if not root.is_dir():
        return 0
    freed = 0
    for path in sorted(root.rglob("*"), reverse=True):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not any(rel == k or rel.startswith(k) for k in keep):
            freed += path.stat().st_size
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return freed


# In the bundle every icon set is a module holding ``var p={name:[w,h,[aliases],
# "unicode","path"],...}``; the core module that draws the icons comes after them.
_ICON_SET = re.compile(r"var p=\{")
_ICON_NAMES = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")


def _icon_entries(text: str, start: int) -> tuple[list[tuple[str, str]], int]:
    """Parse ``{key:[...],...}`` from text[start] == "{"; return entries and the end."""
    entries = []
    i = start + 1
    while text[i] != "}":
        colon = text.index(":", i)
        key = text[i:colon].strip('"')
        if text[colon + 1] != "[":
            raise ValueError(f"unexpected icon entry at {colon}")
        depth, j, in_str = 0, colon + 1, False
        while True:
            ch = text[j]
            if in_str:
                if ch == "\\":
                    j += 1
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        entries.append((key, text[colon + 1:j + 1]))
        i = j + 1
        if text[i] == ",":
            i += 1
    return entries, i + 1


def used_icon_names(outdir: Path) -> set[str]:
    names: set[str] = set()
    for path in outdir.rglob("*.html"):
        names.update(_ICON_NAMES.findall(path.read_text(encoding="utf-8", errors="replace")))
    for path in (outdir / "_static").rglob("*.js"):
        if path.name != "fontawesome.js" and "mathjax" not in path.parts:
            names.update(_ICON_NAMES.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def subset_fontawesome(outdir: Path) -> tuple[int, int]:
    """Keep only the used icons in _static/scripts/fontawesome.js; return sizes before/after."""
    path = outdir / "_static" / "scripts" / "fontawesome.js"
    if not path.is_file():
        return 0, 0
    text = path.read_text(encoding="utf-8")
    before = len(text.encode())
    needed = used_icon_names(outdir)
    pieces, pos = [], 0
    for match in _ICON_SET.finditer(text):
        if match.start() < pos:
            continue
        brace = match.end() - 1
        entries, end = _icon_entries(text, brace)
        kept = []
        for key, value in entries:
            aliases = re.match(r"\[\d+,\d+,\[([^\]]*)\]", value)
            names = {key} | set(re.findall(r'"([^"]+)"', aliases.group(1) if aliases else ""))
            if names & needed:
                kept.append(f'"{key}":{value}')
        pieces.append(text[pos:brace])
        pieces.append("{" + ",".join(kept) + "}")
        pos = end
    pieces.append(text[pos:])
    new = "".join(pieces).replace("\n//# sourceMappingURL=fontawesome.js.map", "")
    path.write_text(new, encoding="utf-8")
    return before, len(new.encode())


def drop_unused_theme_files(outdir: Path) -> int:
    """Source maps, and the .ttf copies of the Font Awesome fonts (every browser takes
    the .woff2; the theme's CSS uses the fonts for admonition and link icons)."""
    freed = 0
    static = outdir / "_static"
    candidates = list((static / "scripts").glob("*.map")) + list((static / "styles").glob("*.map"))
    candidates += list((static / "vendor" / "fontawesome").rglob("*.ttf"))
    for path in candidates:
        if path.is_file():
            freed += path.stat().st_size
            path.unlink()
    for js in (static / "scripts").glob("*.js"):
        text = js.read_text(encoding="utf-8")
        stripped = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
        if stripped != text:
            js.write_text(stripped, encoding="utf-8")
    for css in (static / "styles").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        stripped = re.sub(r"/\*# sourceMappingURL=\S+ \*/\s*$", "", text)
        if stripped != text:
            css.write_text(stripped, encoding="utf-8")
    return freed


# --- math at build time -------------------------------------------------------------

RENDER_MATH_JS = Path(__file__).with_name("render_math.js")
MATH_CSS = "mathjax-chtml.css"
FONT_DIR = "mathjax/output/chtml/fonts/woff-v2"
_INLINE = re.compile(r'(<span class="math notranslate nohighlight">)\\\((.*?)\\\)(</span>)', re.S)
_DISPLAY = re.compile(
    r'(<div class="math notranslate nohighlight"[^>]*>\s*(?:<span class="eqno">.*?</span>)?)\s*'
    r'\\\[(.*?)\\\]\s*(</div>)', re.S)
_MATHJAX_SCRIPTS = re.compile(
    r'\s*<script>window\.MathJax = [^<]*</script>|\s*<script [^>]*src="[^"]*mathjax/tex-chtml\.js[^"]*"></script>')
_STATIC_PREFIX = re.compile(r'src="([^"]*?)_static/mathjax/tex-chtml\.js')


def render_math(outdir: Path, pages: list[Path]) -> bool:
    """Typeset every formula of the site with MathJax in Node.js, into the pages.

    Returns False (pages untouched: MathJax typesets in the browser) without Node.js.
    """
    node = shutil.which("node")
    mathjax = outdir / "_static" / "mathjax"
    if node is None or not (mathjax / "node-main.js").is_file():
        logger.info("site_polish: no Node.js; MathJax will typeset the formulas in the browser")
        return False
    texts = {path: path.read_text(encoding="utf-8") for path in pages}
    items: dict[tuple[str, bool], int] = {}
    for text in texts.values():
        for regex, display in ((_INLINE, False), (_DISPLAY, True)):
            for match in regex.finditer(text):
                items.setdefault((html.unescape(match.group(2)).strip(), display), len(items))
    order = sorted(items, key=items.get)
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in order])
    done = subprocess.run([node, str(RENDER_MATH_JS), str(mathjax)], input=payload, capture_output=True,
                          text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        logger.warning(f"site_polish: typesetting with MathJax in Node.js failed: {done.stderr.strip()[-800:]}")
        return False
    result = json.loads(done.stdout)
    for index, message in result["errors"]:
        logger.warning(f"TeX error in ${order[index][0]}$: {message}")
    rendered = dict(zip(order, result["html"]))
    (outdir / "_static" / MATH_CSS).write_text(
        "/* MathJax 3 CommonHTML styles of every formula of the site (book/_ext/render_math.js). */\n"
        + result["css"].replace("FONTURL", FONT_DIR), encoding="utf-8")

    def swap(display: bool):
        def replace(match: re.Match) -> str:
            tex = html.unescape(match.group(2)).strip()
            return match.group(1) + rendered[(tex, display)] + match.group(3)
        return replace

    for path, text in texts.items():
        prefix = _STATIC_PREFIX.search(text)
        new = _DISPLAY.sub(swap(True), _INLINE.sub(swap(False), text))
        if prefix:
            link = f'<link rel="stylesheet" type="text/css" href="{prefix.group(1)}_static/{MATH_CSS}" />'
            new = _MATHJAX_SCRIPTS.sub("", new).replace("</head>", f"  {link}\n</head>", 1)
        if new != text:
            path.write_text(new, encoding="utf-8")
    logger.info(f"site_polish: {len(order)} formulas typeset at build time")
    return True


# --- Sphinx hooks -------------------------------------------------------------------


def page_html(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context:
        context["body"] = plain_glyphs(context["body"])


def finish(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages = [p for p in outdir.rglob("*.html") if "_static" not in p.relative_to(outdir).parts]
    for path in pages:
        text = path.read_text(encoding="utf-8")
        new = mark_chinese(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    at_build = app.config.site_math_at_build and render_math(outdir, pages)
    freed = prune_mathjax(outdir, keep=(FONT_DIR.removeprefix("mathjax/") + "/",) if at_build else MATHJAX_KEEP)
    before, after = subset_fontawesome(outdir)
    freed += drop_unused_theme_files(outdir) + before - after
    logger.info(f"site_polish: {freed / 1e6:.1f} MB of unused assets dropped "
                f"(fontawesome.js {before / 1e6:.2f} MB -> {after / 1e3:.0f} kB)")


def every_page(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read, and so rewrite, every page at every build, also without ``--all``:
    ``finish`` post-processes the written HTML (Chinese marked, every formula of the site
    typeset into one stylesheet), which must see each page fresh and all pages at once."""
    return sorted(env.found_docs)


def setup(app: Sphinx) -> dict:
    # False: leave the formulas to MathJax in the browser (as without Node.js).
    app.add_config_value("site_math_at_build", True, "html")
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", page_html)
    app.connect("build-finished", finish)
    app.connect("env-get-outdated", every_page)
    app.add_css_file("site.css")
    app.add_js_file("site.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _add_static(app: Sphinx) -> None:
    path = str(STATIC)
    if path not in app.config.html_static_path:
        app.config.html_static_path.append(path)
