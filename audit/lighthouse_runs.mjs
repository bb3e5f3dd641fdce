// Lighthouse runs for `make audit` (audit/audit.py starts this and reads its output).
//
// Usage: node lighthouse_runs.mjs '<json job>' where the job is
//   {"urls": [...], "formFactors": ["mobile", "desktop"], "runs": 3,
//    "chromePath": "/usr/bin/chromium", "chromeFlags": [...]}
// Prints one JSON line per run: the four category scores and the metrics the
// audit table shows. One Chrome serves every run; Lighthouse resets storage
// and cache before each.
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { desktopConfig } from "lighthouse";

const job = JSON.parse(process.argv[2]);
const categories = ["performance", "accessibility", "best-practices", "seo"];
const chrome = await chromeLauncher.launch({
  chromePath: job.chromePath,
  chromeFlags: job.chromeFlags,
});
let failed = false;
try {
  for (const url of job.urls) {
    for (const formFactor of job.formFactors) {
      for (let run = 1; run <= job.runs; run++) {
        const flags = { port: chrome.port, output: "json", logLevel: "error", onlyCategories: categories };
        const result = await lighthouse(url, flags, formFactor === "desktop" ? desktopConfig : undefined);
        const lhr = result.lhr;
        const line = { url, formFactor, run };
        if (lhr.runtimeError) {
          line.error = `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
          failed = true;
        }
        for (const name of categories) {
          const score = lhr.categories[name]?.score;
          line[name] = score == null ? null : Math.round(score * 100);
        }
        const value = (id) => lhr.audits[id]?.numericValue ?? null;
        line.lcp = value("largest-contentful-paint");
        line.tbt = value("total-blocking-time");
        line.cls = value("cumulative-layout-shift");
        line.bytes = value("total-byte-weight");
        // Lighthouse's measure of the machine's CPU speed (audit.py says why it is shown).
        line.benchmarkIndex = lhr.environment?.benchmarkIndex ?? null;
        // What cost points, so the table can say why a score is below its floor.
        line.failing = Object.entries(lhr.categories)
          .flatMap(([name, category]) =>
            category.auditRefs
              .filter((ref) => ref.weight > 0)
              .map((ref) => lhr.audits[ref.id])
              .filter((audit) => audit.score !== null && audit.score < 1)
              .map((audit) => `${name}: ${audit.id} (${audit.displayValue || audit.score})`),
          );
        process.stdout.write(JSON.stringify(line) + "\n");
      }
    }
  }
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
