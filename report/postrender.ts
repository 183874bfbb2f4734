// Quarto post-render step: put the rows behind each printed figure beside the auditors' page.
//
// `svreport prepare-report` (the pre-render step) writes report/_generated/figure-rows/<key>.csv;
// the auditors' page links to figure-rows/<key>.csv next to it. Quarto runs this with its own Deno
// and sets QUARTO_PROJECT_OUTPUT_DIR (relative to the project, or absolute with --output-dir).
// `svreport render` copies the same folder itself on either render path.

const projectDir = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/^\/([A-Za-z]:)/, "$1")
  .replace(/[\\/]$/, "");
const output = Deno.env.get("QUARTO_PROJECT_OUTPUT_DIR") || "_output";
const outputDir = /^([A-Za-z]:)?[\\/]/.test(output) ? output : `${projectDir}/${output}`;
// The mid-year update (the `update` profile) has no auditors' page and no Appendix 1: nothing to copy.
const inputs = (Deno.env.get("QUARTO_PROJECT_INPUT_FILES") || "").split("\n").filter((f) => f.trim());
const updateOnly = (Deno.env.get("QUARTO_PROFILE") || "").split(",").includes("update") ||
  (inputs.length > 0 && inputs.every((f) => /(mid-year-update|contract-tracker)\.qmd$/.test(f.trim())));
if (updateOnly) Deno.exit(0);
const source = `${projectDir}/report/_generated/figure-rows`;
const target = `${outputDir}/report/figure-rows`;

try {
  await Deno.remove(target, { recursive: true });
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
let copied = 0;
try {
  await Deno.mkdir(target, { recursive: true });
  for await (const entry of Deno.readDir(source)) {
    if (entry.isFile && entry.name.endsWith(".csv")) {
      await Deno.copyFile(`${source}/${entry.name}`, `${target}/${entry.name}`);
      copied++;
    }
  }
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
  console.error(`No ${source}: run the pre-render step (svreport prepare-report) first.`);
  Deno.exit(1);
}
console.error(`Copied ${copied} figure-row CSV files to ${target}`);
// Appendix 1 as a spreadsheet, beside the appendix that names it.
// (A mid-year update has no Appendix 1.)
try {
  await Deno.copyFile(`${projectDir}/report/_generated/appendix1.xlsx`, `${outputDir}/report/appendix1.xlsx`);
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
