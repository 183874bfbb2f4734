// Quarto pre-render step: run the pipeline and write report/_generated/ and _variables.yml.
//
// Quarto runs .ts scripts with its own Deno, so this needs nothing on PATH. It finds the Python
// environment the project was installed into and runs `python -m svreport prepare-report` with it.
// Interpreters tried, in order (the first that can import svreport is used):
//   1. SVREPORT_PYTHON, if set;
//   2. the project's .venv (made by `make install`);
//   3. the active conda or virtual environment (CONDA_PREFIX, VIRTUAL_ENV);
//   4. QUARTO_PYTHON, then python3 and python on PATH.
// The report year is SVREPORT_YEAR, else the latest year in the config (SVREPORT_CONFIG, else
// config/rotherham.yml). SVREPORT_AS_AT=YYYY-MM-DD prepares the mid-year update instead (render it with
// `quarto render report/mid-year-update.qmd`). `svreport render` prepares everything itself and sets SVREPORT_PREPARED=1.

const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
const windows = Deno.build.os === "windows";
const projectDir = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/^\/([A-Za-z]:)/, "$1") // Windows: /C:/... -> C:/...
  .replace(/[\\/]$/, "");

function inEnvironment(prefix: string | undefined): string | undefined {
  if (!prefix) return undefined;
  return windows ? `${prefix}\\Scripts\\python.exe` : `${prefix}/bin/python`;
}

function candidates(): string[] {
  const conda = env("CONDA_PREFIX");
  const list = [
    env("SVREPORT_PYTHON"),
    inEnvironment(`${projectDir}${windows ? "\\" : "/"}.venv`),
    conda && (windows ? `${conda}\\python.exe` : `${conda}/bin/python`),
    inEnvironment(env("VIRTUAL_ENV")),
    env("QUARTO_PYTHON"),
    "python3",
    "python",
  ];
  return [...new Set(list.filter((item): item is string => Boolean(item)))];
}

async function run(command: string, args: string[], quiet: boolean): Promise<number | undefined> {
  try {
    const child = new Deno.Command(command, {
      args,
      cwd: projectDir,
      stdout: quiet ? "null" : "inherit",
      stderr: quiet ? "null" : "inherit",
    });
    return (await child.output()).code;
  } catch {
    return undefined; // not found, or not runnable
  }
}

async function main(): Promise<number> {
  if (env("SVREPORT_PREPARED") === "1") return 0;
  const tried: string[] = [];
  for (const python of candidates()) {
    const code = await run(python, ["-c", "import svreport"], true);
    tried.push(`${python} (${code === undefined ? "not found" : "no svreport"})`);
    if (code !== 0) continue;
    const args = ["-m", "svreport"];
    if (env("SVREPORT_CONFIG")) args.push("--config", env("SVREPORT_CONFIG")!);
    args.push("prepare-report");
    if (env("SVREPORT_AS_AT")) args.push("--as-at", env("SVREPORT_AS_AT")!);
    else if (env("SVREPORT_YEAR")) args.push("--year", env("SVREPORT_YEAR")!);
    console.error(`svreport pre-render: ${python} ${args.join(" ")}`);
    return (await run(python, args, false)) ?? 1;
  }
  console.error(
    "error: the pre-render step found no Python with the svreport package installed.\n" +
      `Tried: ${tried.join("; ")}.\n` +
      "Run `make install` in the project folder (it creates .venv), or install the project into the\n" +
      "Python you use (`pip install -e .`), or set SVREPORT_PYTHON to that Python.",
  );
  return 1;
}

Deno.exit(await main());
