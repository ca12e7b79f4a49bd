// Typeset TeX to MathJax CommonHTML at build time (called by site_polish.py).
//
// Usage: node render_math.js <MathJax es5 directory> < items.json > result.json
// items.json: [{"tex": "...", "display": true}, ...]
// result.json: {"html": ["<mjx-container ...>", ...], "errors": [[index, message], ...],
//               "css": "the CommonHTML stylesheet for every character used"}
//
// The same MathJax 3 that the browser would load (sphinx-mathjax-offline's copy),
// run once for the whole site, so a page needs no script to show its formulas.
"use strict";
const path = require("path");
const dir = path.resolve(process.argv[2]);

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  require(path.join(dir, "node-main.js")).init({
    loader: {
      paths: { mathjax: dir },
      load: ["input/tex", "output/chtml", "a11y/assistive-mml"],
    },
    chtml: { fontURL: "FONTURL" },
  }).then(async (MJ) => {
    const adaptor = MJ.startup.adaptor;
    const html = [];
    const errors = [];
    for (let i = 0; i < items.length; i++) {
      MJ.texReset();
      const node = await MJ.tex2chtmlPromise(items[i].tex, { display: items[i].display, em: 16, ex: 8, containerWidth: 80 * 16 });
      const error = adaptor.tags(node, "mjx-merror");
      if (error.length) errors.push([i, adaptor.getAttribute(error[0], "data-mjx-error") || "TeX error"]);
      html.push(adaptor.outerHTML(node));
    }
    const css = adaptor.textContent(MJ.chtmlStylesheet());
    process.stdout.write(JSON.stringify({ html, errors, css }));
  }).catch((err) => {
    process.stderr.write(String(err && err.stack || err) + "\n");
    process.exit(1);
  });
});
