/* The site as its readers meet it (loaded with defer on every page by
   book/_ext/site_polish.py). Conventions: CONTRIBUTING.md, "The website".

   1. Navigation at every width. pydata-sphinx-theme 0.17.1 and sphinx-book-theme
      1.3.0 bind their click handlers to document.querySelector(".primary-toggle")
      (and ".secondary-toggle"): the first such button, which sits in the theme's
      hidden header. The buttons a reader sees do nothing. Here every other toggle
      forwards its click to that first button, which opens the drawer (narrow
      screens) or hides and shows the sidebar (wide screens).
   2. Display equations and tables that overflow are marked .is-scrollable (a
      fading edge; tables get a hint above them).
   3. Equation references show the equation in a popover on hover, focus or tap.
   4. Search: snippets without raw TeX, and results that point to the section
      of the first hit.
*/
(() => {
  "use strict";

  const ready = (fn) => {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  };

  /* 1. Navigation ------------------------------------------------------------ */
  const fixToggles = () => {
    for (const cls of ["primary-toggle", "secondary-toggle"]) {
      const buttons = Array.from(document.querySelectorAll("." + cls));
      const bound = buttons[0];
      if (!bound) continue;
      buttons.slice(1).forEach((button) => {
        button.addEventListener("click", (event) => {
          event.preventDefault();
          event.stopImmediatePropagation();
          button.blur();
          bound.click();
        }, true);
      });
    }
  };

  /* 2. Things that overflow -------------------------------------------------- */
  // Tables printed by a notebook cell (HTML output, e.g. the progress page) get the
  // theme's scrolling container that Markdown tables already have.
  document.querySelectorAll("main table").forEach((table) => {
    if (table.closest(".pst-scrollable-table-container")) return;
    const box = document.createElement("div");
    box.className = "pst-scrollable-table-container";
    table.before(box);
    box.append(table);
  });
  const markOverflow = () => {
    document.querySelectorAll("div.math > mjx-container").forEach((box) => {
      box.classList.toggle("is-scrollable", box.scrollWidth > box.clientWidth + 1);
      if (!box.hasAttribute("tabindex") && box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");  // scrollable with the keyboard too
      }
    });
    // Inline formulas cannot break (MathJax 3): one wider than its line (a long
    // chain on a phone) scrolls inside its own box instead of being cut off.
    // Measure everything first, then write, so the page is laid out only once.
    const inline = Array.from(document.querySelectorAll("main mjx-container:not([display='true'])"))
      .filter((box) => !box.closest("div.math, table"))
      .map((box) => {
        const block = box.parentElement.closest("p, li, dd, dt, td, th, div, section") || box.parentElement;
        const style = getComputedStyle(block);
        const room = block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const math = box.querySelector("mjx-math");
        return [box, math ? math.getBoundingClientRect().width > room + 1 : false];
      });
    inline.forEach(([box, wide]) => {
      box.classList.toggle("is-wide-inline", wide);
      if (wide && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
    document.querySelectorAll(".pst-scrollable-table-container").forEach((box) => {
      const wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-scrollable", wide);
      let hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("table-scroll-hint")) {
        if (!wide) return;
        hint = document.createElement("p");
        hint.className = "table-scroll-hint";
        hint.textContent = "\u2194 This table is wider than the screen: scroll it sideways to see every column.";
        box.before(hint);
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      }
      hint.hidden = !wide;
    });
  };
  let overflowTimer = null;
  const markOverflowSoon = () => {
    clearTimeout(overflowTimer);
    overflowTimer = setTimeout(markOverflow, 100);
  };

  /* Multi-panel figures (wide images): on a phone they keep a readable size and
     scroll sideways inside their own box (site.css), with a hint. */
  const wrapWideFigures = () => {
    document.querySelectorAll("main figure img").forEach((img) => {
      const mark = () => {
        if (!img.naturalWidth || img.naturalWidth / img.naturalHeight < 1.7 || img.parentElement.classList.contains("figure-scroll")) return;
        const box = document.createElement("div");
        box.className = "figure-scroll";
        box.style.setProperty("--natural-width", img.naturalWidth + "px");
        box.setAttribute("tabindex", "0");
        img.before(box);
        box.appendChild(img);
        const hint = document.createElement("p");
        hint.className = "figure-scroll-hint";
        hint.textContent = "\u2194 Scroll the figure sideways to see every panel.";
        box.after(hint);
      };
      if (img.complete) mark(); else img.addEventListener("load", mark, { once: true });
    });
  };

  /* 3. Equation popovers ----------------------------------------------------- */
  // The TeX of each numbered display equation on this page, read before MathJax
  // replaces it (site.js is deferred; MathJax typesets after DOMContentLoaded).
  const texById = new Map();
  const eqTex = (div) => {
    const copy = div.cloneNode(true);
    copy.querySelectorAll(".eqno, .headerlink").forEach((el) => el.remove());
    return copy.textContent.trim().replace(/^\\\[/, "").replace(/\\\]$/, "").trim();
  };
  const snapshotTex = () => {
    document.querySelectorAll("div.math[id^='equation-']").forEach((div) => {
      if (!div.querySelector("mjx-container")) texById.set(div.id, eqTex(div));
    });
  };
  // Another page's equations: its rendered formula (math typeset at build time)
  // or, failing that, its TeX.
  const pageEquations = new Map();  // url -> Promise<Map(id -> {html, tex})>
  const otherPageEquations = (url) => {
    if (!pageEquations.has(url)) {
      pageEquations.set(url, fetch(url).then((r) => r.text()).then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const found = new Map();
        doc.querySelectorAll("div.math[id^='equation-']").forEach((div) => {
          const box = div.querySelector("mjx-container");
          found.set(div.id, box ? { html: box.outerHTML } : { tex: eqTex(div) });
        });
        return found;
      }).catch(() => new Map()));
    }
    return pageEquations.get(url);
  };

  let popover = null;
  let popoverFor = null;
  const hidePopover = () => {
    if (popover) popover.hidden = true;
    popoverFor = null;
  };
  const placePopover = (link) => {
    const r = link.getBoundingClientRect();
    const width = Math.min(popover.offsetWidth, document.documentElement.clientWidth - 16);
    let left = window.scrollX + r.left;
    left = Math.max(window.scrollX + 8, Math.min(left, window.scrollX + document.documentElement.clientWidth - width - 8));
    let top = window.scrollY + r.bottom + 6;
    if (r.bottom + popover.offsetHeight + 12 > window.innerHeight && r.top > popover.offsetHeight + 12) {
      top = window.scrollY + r.top - popover.offsetHeight - 6;
    }
    popover.style.left = left + "px";
    popover.style.top = top + "px";
  };
  const showPopover = async (link) => {
    const url = new URL(link.href, location.href);
    const id = decodeURIComponent(url.hash.slice(1));
    const samePage = url.pathname === location.pathname;
    if (!popover) {
      popover = document.createElement("div");
      popover.className = "eq-popover";
      popover.setAttribute("role", "tooltip");
      popover.id = "eq-popover";
      popover.hidden = true;
      popover.addEventListener("mouseleave", hidePopover);
      document.body.appendChild(popover);
    }
    popoverFor = link;
    link.setAttribute("aria-describedby", popover.id);
    const label = link.textContent.trim();
    popover.innerHTML = "";
    const head = document.createElement("div");
    head.className = "eq-popover-label";
    head.textContent = "Equation " + label;
    popover.appendChild(head);
    const body = document.createElement("div");
    body.className = "eq-popover-body";
    popover.appendChild(body);
    const target = samePage ? document.getElementById(id) : null;
    const rendered = target && target.querySelector("mjx-container:not([mjx-lazy])");
    let typeset = false;
    if (rendered && rendered.childElementCount) {
      body.appendChild(rendered.cloneNode(true));
    } else {
      const found = samePage ? { tex: texById.get(id) } : ((await otherPageEquations(url.href.split("#")[0])).get(id) || {});
      if (popoverFor !== link) return;
      if (found.html) {
        body.innerHTML = found.html;
      } else {
        body.textContent = found.tex ? "\\[" + found.tex + "\\]" : "";
        typeset = !!found.tex;
      }
    }
    const go = document.createElement("a");
    go.className = "eq-popover-go";
    go.href = link.href;
    go.textContent = "go to " + label + " \u2192";
    popover.appendChild(go);
    popover.hidden = false;
    placePopover(link);
    if (typeset && window.MathJax && MathJax.typesetPromise) {
      await MathJax.typesetPromise([body]);
      if (popoverFor === link) placePopover(link);
    }
  };
  const setupPopovers = () => {
    const links = Array.from(document.querySelectorAll("a.reference[href*='#equation-']"));
    const touch = window.matchMedia("(hover: none)");
    links.forEach((link) => {
      link.addEventListener("mouseenter", () => { if (!touch.matches) showPopover(link); });
      link.addEventListener("focus", () => { if (!touch.matches) showPopover(link); });
      link.addEventListener("mouseleave", (event) => {
        if (popover && event.relatedTarget && popover.contains(event.relatedTarget)) return;
        hidePopover();
      });
      link.addEventListener("blur", (event) => {
        if (popover && event.relatedTarget && popover.contains(event.relatedTarget)) return;
        hidePopover();
      });
      // On a touch screen the first tap shows the equation; the popover's own
      // link (or a second tap) goes there.
      link.addEventListener("click", (event) => {
        if (touch.matches && popoverFor !== link) {
          event.preventDefault();
          showPopover(link);
        }
      });
    });
    document.addEventListener("keydown", (event) => { if (event.key === "Escape") hidePopover(); });
    document.addEventListener("click", (event) => {
      if (popover && !popover.hidden && !popover.contains(event.target) && !links.includes(event.target.closest("a"))) {
        hidePopover();
      }
    });
  };

  /* 4. Search ---------------------------------------------------------------- */
  const TEX_SYMBOLS = {
    alpha: "\u03b1", beta: "\u03b2", gamma: "\u03b3", Gamma: "\u0393", delta: "\u03b4", Delta: "\u0394",
    epsilon: "\u03b5", varepsilon: "\u03b5", eta: "\u03b7", theta: "\u03b8", kappa: "\u03ba",
    lambda: "\u03bb", mu: "\u03bc", nu: "\u03bd", pi: "\u03c0", rho: "\u03c1", sigma: "\u03c3",
    Sigma: "\u03a3", tau: "\u03c4", phi: "\u03c6", xi: "\u03be", omega: "\u03c9",
    nabla: "\u2207", partial: "\u2202", sum: "\u2211", prod: "\u220f", infty: "\u221e",
    le: "\u2264", leq: "\u2264", ge: "\u2265", geq: "\u2265", ne: "\u2260", neq: "\u2260",
    approx: "\u2248", sim: "~", cdot: "\u00b7", cdots: "\u22ef", ldots: "\u2026", dots: "\u2026",
    times: "\u00d7", to: "\u2192", rightarrow: "\u2192", leftarrow: "\u2190", mapsto: "\u21a6",
    in: "\u2208", sqrt: "\u221a", top: "\u22a4", pm: "\u00b1", lVert: "\u2016", rVert: "\u2016",
    Vert: "\u2016", lvert: "|", rvert: "|", mid: "|", star: "*", ast: "*", min: "min", max: "max",
    log: "log", exp: "exp", quad: " ", qquad: "  ",
  };
  const texToText = (tex) => {
    let s = tex.replace(/\\\(|\\\)|\\\[|\\\]|\$\$/g, "");
    for (let i = 0; i < 4; i++) {
      s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)");
    }
    s = s.replace(/\\(?:begin|end)\{[^}]*\}/g, " ")
      .replace(/\\(?:left|right|big|Big|bigg|Bigg)\b/g, "")
      .replace(/\\(?:mathrm|mathbf|mathbb|mathcal|boldsymbol|operatorname|text|textrm|mathit|bm)\s*/g, "")
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in TEX_SYMBOLS ? TEX_SYMBOLS[name] : name))
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\\\/g, "; ")
      .replace(/&/g, "")
      .replace(/\\([{}%_#$])/g, "$1")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ");
    return s.trim();
  };
  const patchSearch = () => {
    let S;
    try { S = Search; } catch (e) { return; }  // not the search page
    if (!S || !S.htmlToText || S._sitePatched) return;
    S._sitePatched = true;
    const clean = (root) => {
      root.querySelectorAll(".headerlink, script, style, .eqno").forEach((el) => el.remove());
      root.querySelectorAll(".math").forEach((el) => { el.textContent = " " + texToText(el.textContent) + " "; });
    };
    S.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      clean(doc);
      const main = doc.querySelector('[role="main"]');
      const block = (anchor && main && main.querySelector(anchor)) || main;
      return block ? block.textContent.replace(/\s+/g, " ") : "";
    };
    const original = S.makeSearchSummary;
    S.makeSearchSummary = (htmlText, keywords, anchor) => {
      const summary = original(htmlText, keywords, anchor);
      if (anchor) return summary;
      // The section that holds the first hit: make the result link point there.
      const doc = new DOMParser().parseFromString(htmlText, "text/html");
      clean(doc);
      const main = doc.querySelector('[role="main"]');
      if (!main || !summary) return summary;
      const words = [...keywords].map((k) => k.toLowerCase()).filter(Boolean);
      const walker = doc.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      let section = null;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.toLowerCase();
        if (words.some((w) => text.includes(w))) {
          const holder = node.parentElement && node.parentElement.closest("section[id]");
          if (holder && holder.parentElement && holder.parentElement.closest("section[id]")) section = holder;
          break;
        }
      }
      if (section) {
        const heading = section.querySelector("h1, h2, h3, h4");
        setTimeout(() => {
          const link = summary.parentElement && summary.parentElement.querySelector("a");
          if (link && !link.hash) {
            link.href = link.getAttribute("href") + "#" + section.id;
            if (heading) {
              const where = document.createElement("span");
              where.className = "search-section";
              where.textContent = " \u203a " + heading.textContent.replace(/[#¶]/g, "").trim();
              link.after(where);
            }
          }
        }, 0);
      }
      return summary;
    };
  };
  patchSearch();

  snapshotTex();
  ready(() => {
    fixToggles();
    wrapWideFigures();
    setupPopovers();
    markOverflow();
    window.addEventListener("resize", markOverflowSoon);
    // MathJax typesets after this runs (lazily, as equations scroll into view).
    new MutationObserver(markOverflowSoon).observe(document.querySelector("main") || document.body,
      { childList: true, subtree: true });
  });
})();
