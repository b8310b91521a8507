// Bundles the browser client into guide_server/static/ (served by the guide server at `/`).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "guide_server", "static");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "esm",
  splitting: false,
  minify: true,
  target: ["es2020"],
  outfile: join(out, "app.js"),
  legalComments: "linked",
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(join(here, "src", file), join(out, file));
console.log(`built ${out}`);
