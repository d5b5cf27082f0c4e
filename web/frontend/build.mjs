// Bundles the front end into one script and one stylesheet: `node build.mjs <outdir>`.
// Maven passes <outdir> = web/target/classes/public/assets, which the server serves at /assets/.
import { build } from "esbuild";
import { cpSync } from "node:fs";
import { resolve } from "node:path";

const outdir = resolve(process.argv[2] ?? "dist");

await build({
  entryPoints: { app: "src/main.js" }, // src/main.js imports src/styles/app.css, so app.css comes along
  outdir,
  bundle: true,
  format: "iife", // loaded with <script defer>: no module loader, one request
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "info",
});

// Files served as they are (the favicon).
cpSync("static", outdir, { recursive: true });
