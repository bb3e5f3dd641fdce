// Long-lived KaTeX renderer for the build: one JSON request per line on stdin,
// one JSON answer per line on stdout. Started once per build by hooks/katex_render.py,
// so a build with hundreds of formulas pays for loading KaTeX only once.
"use strict";
const katex = require("katex");
const readline = require("readline");

const macros = JSON.parse(process.argv[2] || "{}");
const lines = readline.createInterface({ input: process.stdin, terminal: false });

lines.on("line", (line) => {
  const request = JSON.parse(line);
  let answer;
  try {
    const html = katex.renderToString(request.tex, {
      displayMode: request.display,
      // Unknown macros and unparsable input must stop the build, not be drawn in red.
      throwOnError: true,
      strict: "error",
      trust: false,
      output: "htmlAndMathml",
      // A fresh copy per formula, so a \def in one formula cannot leak into the next.
      macros: Object.assign({}, macros),
    });
    answer = { html };
  } catch (err) {
    answer = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
