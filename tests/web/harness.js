// Browser-test harness: serves build/web with a tiny static server (the page fetches nothing else),
// starts Debian's headless Chromium through playwright-core (never a downloaded browser) with WebGPU
// on (--enable-unsafe-webgpu; without a GPU Chromium's SwiftShader is the adapter) and a fresh profile.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs"), http = require("http"), os = require("os"), path = require("path");

const root = path.resolve(__dirname, "../..");
const webDir = process.env.SEISWG_WEB_DIR || path.join(root, "build/web");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm",
                ".css": "text/css", ".png": "image/png", ".json": "application/json" };

function serve(dir, port = 0) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
      const file = path.join(dir, rel);
      if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404);
        return res.end("not found");
      }
      res.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
    });
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

// Opens the page; `profile` (a folder) keeps IndexedDB between two launches (persistence tests), which
// must then use the same `port`: IndexedDB belongs to an origin, and the port is part of it.
// `webgpu: false` starts Chromium without --enable-unsafe-webgpu: on Linux it then offers no adapter.
async function openPage({ profile, port = 0, query = "", viewport = { width: 1400, height: 1000 }, webgpu = true } = {}) {
  if (!fs.existsSync(path.join(webDir, "seiswg.wasm")))
    throw new Error(webDir + "/seiswg.wasm is missing: build the web target (cmake --preset web && cmake --build --preset web)");
  const server = await serve(webDir, port);
  const userDir = profile || fs.mkdtempSync(path.join(os.tmpdir(), "seiswg-chromium-"));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROME || "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    args: ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-quic", ...(webgpu ? ["--enable-unsafe-webgpu"] : [])],
    viewport,
  });
  const page = context.pages()[0] || (await context.newPage());
  const messages = [];
  page.on("console", (m) => messages.push(m.text()));
  page.on("pageerror", (e) => messages.push("pageerror: " + e.message));
  const url = `http://127.0.0.1:${server.address().port}/index.html${query}`;
  await page.goto(url);
  await page.waitForFunction(() => window.seiswg !== undefined);
  return {
    page, context, url, messages, port: server.address().port,
    async close() {
      await context.close();
      server.close();
      if (!profile) fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

// Runs `body` as one named test: prints PASS/FAIL and the time, exits non-zero on failure.
function test(name, body) {
  const t0 = Date.now();
  body().then(
    () => {
      console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      process.exit(0);
    },
    (e) => {
      console.log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${e && e.stack ? e.stack : e}`);
      process.exit(1);
    });
}

module.exports = { openPage, test, root, webDir };
