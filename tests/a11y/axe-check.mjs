// Run axe-core on rendered HTML files in Debian's headless Chromium; print violations as JSON.
// Usage: node axe-check.mjs FILE.html [FILE.html ...]
//        node axe-check.mjs --screenshot OUT.png FILE.html   (full-page screenshot instead)
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
// Closed network: no background traffic, no GPU, a throwaway profile.
const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

const argv = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args, headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.route(/^https?:/, (route) => route.abort());  // the report must not need the network
  if (argv[0] === "--screenshot") {
    const [, out, file, height] = argv;
    await page.goto(pathToFileURL(file).href);
    await page.screenshot({ path: out, fullPage: false, clip: { x: 0, y: 0, width: 1280, height: Number(height || 900) } });
  } else {
    const results = {};
    for (const file of argv) {
      await page.goto(pathToFileURL(file).href);
      await page.addScriptTag({ path: axePath });
      const outcome = await page.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
        return { rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
          violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })) };
      }, TAGS);
      results[file] = outcome;
    }
    console.log(JSON.stringify(results, null, 2));
  }
} finally {
  await browser.close();
}
