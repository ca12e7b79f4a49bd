"""Keep every page of the site free of Thebe and of duplicated inline scripts.

Registered in ``_config.yml`` under ``sphinx: local_extensions``.

Why this exists
---------------
Jupyter Book 1 always loads ``sphinx_thebe``, even with every launch button off.
On ``env-before-read-docs`` it registers an inline script,
``const THEBE_JS_URL = "<a CDN URL>"; const thebe_selector = ...``, with
``app.add_js_file(None, body=...)``. Sphinx 7.4 stores that script twice: once
in the builder as ``filename=None`` and once more in ``prepare_writing``, which
re-adds everything in the registry as ``filename=''``; the builder's duplicate
check compares ``None`` with ``''`` and keeps both. Every page then declares the
same ``const`` twice and the browser logs "Identifier 'THEBE_JS_URL' has already
been declared". (sphinx-togglebutton's ``var togglebuttonSelector`` is doubled
the same way, harmless only because it uses ``var``.)

The course does not use Thebe: notebooks are run locally (``make lab``) and the
site must not request anything from another host. So this extension

1. disconnects sphinx-thebe's ``init_thebe_core`` (the inline config script with
   the CDN URL and ``sphinx-thebe.js``) and ``update_thebe_context`` (the
   per-page ``text/x-thebe-config`` block that names a Binder repository);
2. drops duplicated inline scripts from each page's ``script_files``, so any
   other extension hit by the same Sphinx behaviour is covered too.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

# sphinx-thebe's event handlers that put Thebe on the pages.
THEBE_HANDLERS = {
    "env-before-read-docs": "init_thebe_core",
    "doctree-resolved": "update_thebe_context",
}


def disconnect_thebe(app: Sphinx) -> None:
    """Remove sphinx-thebe's page-level handlers (connected before us)."""
    for event, name in THEBE_HANDLERS.items():
        for listener in list(app.events.listeners.get(event, [])):
            handler = listener.handler
            if getattr(handler, "__module__", "") == "sphinx_thebe" and handler.__name__ == name:
                app.disconnect(listener.id)


def _script_key(js: Any) -> tuple:
    attributes = getattr(js, "attributes", {})
    return (
        getattr(js, "filename", js) or "",
        getattr(js, "priority", 500),
        tuple(sorted(attributes.items())),
    )


def dedupe_scripts(app: Sphinx, pagename: str, templatename: str,
                   context: dict, doctree: Any) -> None:
    """Keep the first of identical script entries on every page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for js in scripts:
        key = _script_key(js)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    # A new list: the builder restores its own list after each page.
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    # builder-inited comes after every extension's setup(), so sphinx-thebe's
    # handlers are connected by then, whatever the order of extensions.
    app.connect("builder-inited", disconnect_thebe)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
