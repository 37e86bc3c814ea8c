// The page itself, as a user drives it: a preset run animates the wavefield and draws the gather (a
// screenshot is kept in build/web-test-artifacts/); a saved case is there after a reload; a result
// file's download holds the run's bytes; a malformed config shows the reader's message.
"use strict";
const fs = require("fs"), os = require("os"), path = require("path");
const { openPage, test, root } = require("./harness");
const { seispieHomog, runNative, relativeDifference } = require("./cases");

const artifacts = path.join(root, "build/web-test-artifacts");
const which = process.argv[2];

async function ready(page) {
  await page.waitForFunction(() => window.seiswgPage && window.seiswgPage.ready);
}
async function runPreset(page, preset) {
  await page.selectOption("#preset", preset);
  await page.click("#run");
  await page.waitForFunction(() => !document.getElementById("run").disabled &&
    /done|failed|cancelled/.test(document.getElementById("progress-text").textContent), null, { timeout: 300000 });
  const outcome = await page.evaluate(() => ({ progress: document.getElementById("progress-text").textContent,
                                               message: document.getElementById("message").textContent }));
  if (!outcome.progress.startsWith("done")) throw new Error(`the run did not finish: ${outcome.progress}: ${outcome.message}`);
  return outcome;
}
// Pixels of a canvas that are neither white nor the frame's grey, in its plot area.
function inkOf(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id), d = c.getContext("2d").getImageData(60, 52, c.width - 180, c.height - 80).data;
    let ink = 0, colours = new Set();
    for (let k = 0; k < d.length; k += 4) {
      if (!(d[k] > 245 && d[k + 1] > 245 && d[k + 2] > 245)) ink++;
      colours.add((d[k] << 16) | (d[k + 1] << 8) | d[k + 2]);
    }
    return { ink: ink / (d.length / 4), colours: colours.size };
  }, id);
}

const tests = {
  async web_page_forward_animates({ page }) {
    await ready(page);
    const outcome = await runPreset(page, "preset:seispie-homog");
    const frames = await page.evaluate(() => window.seiswgPage.frames);
    const distinct = new Set(frames).size;
    if (distinct < 3) throw new Error(`the wavefield canvas showed ${distinct} distinct frames (of ${frames.length})`);
    const wave = await inkOf(page, "wavefield"), gather = await inkOf(page, "gather");
    if (wave.ink < 0.3 || wave.colours < 20) throw new Error("the last wavefield frame is blank: " + JSON.stringify(wave));
    if (gather.ink < 0.3 || gather.colours < 20) throw new Error("the gather is blank: " + JSON.stringify(gather));
    const links = await page.$$eval("#result-list a", (as) => as.length);
    if (links < 10) throw new Error(`${links} result files listed`);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "page_forward.png"), fullPage: true });
    console.log(`${outcome.progress}; ${distinct} distinct wavefield frames; wavefield ${(100 * wave.ink).toFixed(0)} % inked, ` +
                `gather ${(100 * gather.ink).toFixed(0)} %; screenshot ${path.join(artifacts, "page_forward.png")}`);
  },
  async web_page_download_bytes({ page }) {
    await ready(page);
    await runPreset(page, "preset:seispie-homog");
    const rel = "output/uy_000000.npy";
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#result-list a[data-path="${rel}"]`)]);
    const file = path.join(os.tmpdir(), "seiswg-download-" + process.pid + ".npy");
    await download.saveAs(file);
    const got = new Uint8Array(fs.readFileSync(file));
    fs.rmSync(file);
    const expected = await page.evaluate((rel) => Array.from(window.seiswgPage.state.results[rel]), rel);
    if (got.length !== expected.length || got.some((b, k) => b !== expected[k]))
      throw new Error(`the download of ${rel} (${got.length} bytes) is not the run's file (${expected.length} bytes)`);
    // And the run's file is the CLI's (the page's preset is the Seispie case with snapshots every 5 steps).
    const native = runNative(seispieHomog("[solver]\nsave_snapshot = 5\nsave_images = no"));
    const d = relativeDifference(rel, got, native[rel]);
    if (!(d <= 1e-5) || got.length !== native[rel].length) throw new Error(`${rel}: relative difference ${d} to the CLI's`);
    console.log(`${download.suggestedFilename()}: ${got.length} bytes, the run's own; ${d.toExponential(2)} relative to the CLI's`);
  },
  async web_page_bad_config_message({ page }) {
    await ready(page);
    await page.fill("#editor", (await page.inputValue("#editor")).replace(/nt = 100/, "nt = -3"));
    await page.waitForFunction(() => /config\.ini:\d+/.test(document.getElementById("check").textContent), null, { timeout: 60000 });
    const checked = await page.textContent("#check");
    await page.click("#run");
    await page.waitForFunction(() => !document.getElementById("message").hidden, null, { timeout: 60000 });
    const shown = await page.textContent("#message");
    if (!/config\.ini:\d+/.test(shown) || !shown.includes("nt")) throw new Error("the page shows: " + shown);
    console.log(`while editing: ${checked}\non Run: ${shown}`);
  },
  async web_page_share_link({ page, context }) {
    await ready(page);
    await page.selectOption("#preset", "preset:layered");
    await page.fill("#editor", (await page.inputValue("#editor")).replace("nt = 900", "nt = 901"));
    await page.click("#share");
    const url = await page.inputValue("#share-url");
    if (!url.includes("#case=")) throw new Error("no link: " + url);
    const other = await context.newPage();
    await other.goto(url);
    await other.waitForFunction(() => window.seiswgPage && window.seiswgPage.ready);
    const config = await other.inputValue("#editor");
    const same = await other.evaluate(() => {
      const m = window.seiswgPage.state.models.model;
      return m && m.nx === 161 && m.nz === 81 && Math.abs(Math.max(...m.fields.vs) - 1796.875) < 1e-3;
    });
    if (!config.includes("nt = 901") || !same) throw new Error("the link's case differs from the page's");
    console.log(`a link of ${url.length} characters carries the edited layered case (config and 161 x 81 model)`);
  },
  // A case downloaded as a .tar and uploaded again is the same case; a source dragged on the model
  // image moves in sources.dat.
  // A model field uploaded as .npy (float32, C order) and as Seispie .bin lands in the case as
  // given; a file of the wrong size is refused with the sizes named.
  // The brush: a mouse stroke on the model image sets the chosen field to the brush's value at the
  // nodes within its radius of the pointer's path and nowhere else (every other node keeps its value).
  async web_page_model_brush({ page }) {
    await ready(page);
    await page.selectOption("#preset", "preset:seispie-homog");
    await page.selectOption("#tool", "brush");
    await page.selectOption("#model-field", "vs");
    await page.fill("#brush-value", "700");
    await page.fill("#brush-radius", "100");
    const model = () => page.evaluate(() => {
      const m = window.seiswgPage.state.models[document.getElementById("model-folder").value];
      return { nx: m.nx, nz: m.nz, dx: m.dx, dz: m.dz, vs: Array.from(m.fields.vs), vp: Array.from(m.fields.vp) };
    });
    const before = await model();
    // A stroke from (250, 375) m to (500, 375) m, in the page's coordinates.
    const client = (x, z) => page.evaluate(([x, z]) => {
      const c = document.getElementById("model-view"), r = c.getBoundingClientRect(), [px, py] = window.seiswgPage.toPixel(x, z);
      return [r.left + (px * r.width) / c.width, r.top + (py * r.height) / c.height];
    }, [x, z]);
    const stroke = [];
    for (let x = 250; x <= 500; x += 10) stroke.push(await client(x, 375));
    await page.mouse.move(...stroke[0]);
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...p);
    await page.mouse.up();
    const after = await model();
    // Nodes surely inside (within 100 m less a cell's half diagonal of the segment) and surely outside
    // (beyond 100 m plus that margin): the pointer's pixel maps back to the model to within a cell.
    const margin = Math.hypot(before.dx, before.dz);
    let inside = 0, outside = 0;
    for (let i = 0; i < before.nx; ++i)
      for (let j = 0; j < before.nz; ++j) {
        const k = i * before.nz + j, x = i * before.dx, z = j * before.dz;
        const d = Math.hypot(x - Math.min(500, Math.max(250, x)), z - 375);
        if (after.vp[k] !== before.vp[k]) throw new Error(`vp changed at node ${k}: the brush painted vs only`);
        if (d < 100 - margin) {
          ++inside;
          if (after.vs[k] !== 700) throw new Error(`vs at (${x}, ${z}) m, ${d.toFixed(0)} m from the stroke, is ${after.vs[k]}, not 700`);
        } else if (d > 100 + margin) {
          ++outside;
          if (after.vs[k] !== before.vs[k]) throw new Error(`vs at (${x}, ${z}) m, ${d.toFixed(0)} m from the stroke, changed to ${after.vs[k]}`);
        }
      }
    if (inside < 20 || outside < 500) throw new Error(`only ${inside} nodes lie surely inside the stroke, ${outside} surely outside`);
    console.log(`${inside} nodes painted to 700 m/s, ${outside} beyond the brush unchanged`);
  },
  // Folder upload: a case folder on disk given to the page's folder input (as a user picks one) loads
  // its config, sources, stations and model, and the loaded case runs to the end.
  async web_page_folder_upload({ page }) {
    await ready(page);
    const files = seispieHomog("[solver]\nsave_images = no\nnt = 60");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seiswg-folder-")), top = path.join(dir, "homog-case");
    try {
      for (const [rel, bytes] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
        fs.writeFileSync(path.join(top, rel), bytes);
      }
      await page.setInputFiles("#upload-folder", top);
      await page.waitForFunction(() => /loaded \d+ files/.test(document.getElementById("message").textContent));
      const loaded = await page.evaluate(() => {
        const s = window.seiswgPage.state, m = s.models.model;
        return { texts: s.texts, nx: m && m.nx, nz: m && m.nz, vs: m ? Array.from(m.fields.vs) : [] };
      });
      const text = (rel) => new TextDecoder().decode(files[rel]);
      for (const rel of ["config.ini", "sources.dat", "stations.dat"])
        if ((loaded.texts[rel] || "").trim() !== text(rel).trim()) throw new Error(`${rel} was not loaded from the folder`);
      if (loaded.nx !== 31 || loaded.nz !== 31 || loaded.vs.some((v) => v !== 1000))
        throw new Error(`the model was not loaded: ${loaded.nx} x ${loaded.nz}`);
      await page.click("#run");
      await page.waitForFunction(() => !document.getElementById("run").disabled &&
        /done|failed|cancelled/.test(document.getElementById("progress-text").textContent), null, { timeout: 300000 });
      const progress = await page.textContent("#progress-text");
      if (!progress.startsWith("done")) throw new Error(`the uploaded case did not run: ${progress}: ${await page.textContent("#message")}`);
      console.log(`${Object.keys(files).length} files loaded from ${top}; run: ${progress}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  async web_page_model_upload({ page }) {
    await ready(page);
    await page.selectOption("#preset", "preset:seispie-homog");
    const grid = await page.evaluate(() => {
      const m = window.seiswgPage.state.models[document.getElementById("model-folder").value];
      return { nx: m.nx, nz: m.nz, field: document.getElementById("model-field").value };
    });
    const count = grid.nx * grid.nz;
    const values = Float32Array.from({ length: count }, (_, k) => 1500 + (k % 97));
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count},), }`;
    const padded = header + " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
    const npy = Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0]),
                               Buffer.from([padded.length & 255, padded.length >> 8]), Buffer.from(padded, "latin1"),
                               Buffer.from(values.buffer)]);
    const field = () => page.evaluate((name) =>
      Array.from(window.seiswgPage.state.models[document.getElementById("model-folder").value].fields[name]), grid.field);
    await page.setInputFiles("#upload-field", { name: "field.npy", mimeType: "application/octet-stream", buffer: npy });
    await page.waitForFunction((name) => {
      const f = window.seiswgPage.state.models[document.getElementById("model-folder").value].fields[name];
      return f && f[0] === 1500 && f[1] === 1501;
    }, grid.field);
    const fromNpy = await field();
    if (fromNpy.some((v, k) => v !== values[k])) throw new Error("the uploaded .npy field differs from the file");
    // Seispie .bin: an int32 header holding the number of values, then the float32 values.
    const shifted = values.map((v) => v + 100);
    const header32 = Buffer.alloc(4);
    header32.writeInt32LE(count);
    const bin = Buffer.concat([header32, Buffer.from(shifted.buffer)]);
    await page.setInputFiles("#upload-field", { name: "field.bin", mimeType: "application/octet-stream", buffer: bin });
    await page.waitForFunction((name) => {
      const f = window.seiswgPage.state.models[document.getElementById("model-folder").value].fields[name];
      return f && f[0] === 1600;
    }, grid.field);
    const fromBin = await field();
    if (fromBin.some((v, k) => v !== shifted[k])) throw new Error("the uploaded .bin field differs from the file");
    const short = Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0]),
                                 Buffer.from([padded.length & 255, padded.length >> 8]),
                                 Buffer.from(padded.replace(`(${count},)`, `(${count - 1},)`), "latin1"),
                                 Buffer.from(values.buffer, 0, (count - 1) * 4)]);
    await page.setInputFiles("#upload-field", { name: "short.npy", mimeType: "application/octet-stream", buffer: short });
    await page.waitForFunction(() => /holds \d+ values/.test(document.getElementById("message").textContent));
    const text = await page.evaluate(() => document.getElementById("message").textContent);
    if (!text.includes(`${count - 1} values`) || !text.includes(`${grid.nx} x ${grid.nz}`))
      throw new Error(`the message does not name the sizes: ${text}`);
    console.log(`.npy and .bin fields of ${count} values uploaded exactly; a short file: "${text}"`);
  },
  // Every preset is a case the C++ reader accepts; the new physics' presets (typed sources beside a
  // free surface; acoustic with CPML layers) give the CLI's traces when run in the page.
  async web_presets_read_and_run_as_the_cli({ page }) {
    await ready(page);
    const ids = await page.$$eval("#preset option", (os) => os.map((o) => o.value).filter((v) => v.startsWith("preset:")));
    for (const id of ids) {
      const plan = await page.evaluate(async (id) => {
        try { return (await window.seiswg.check(window.seiswgPage.presetFiles(id.slice(7)))).log; }
        catch (e) { return "ERROR " + e.message; }
      }, id);
      if (plan.startsWith("ERROR")) throw new Error(`${id}: ${plan}`);
    }
    for (const id of ["land", "acoustic-cpml"]) {
      const files = await page.evaluate((id) => {
        const f = window.seiswgPage.presetFiles(id);
        return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Array.from(v)]));
      }, id);
      const input = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Uint8Array.from(v)]));
      await runPreset(page, "preset:" + id);
      const web = await page.evaluate(() => Object.fromEntries(Object.entries(window.seiswgPage.state.results)
        .filter(([rel]) => rel.includes("/traces/")).map(([rel, v]) => [rel, Array.from(v)])));
      const native = runNative(input);
      const traces = Object.keys(native).filter((rel) => rel.includes("/traces/") && rel.endsWith(".npy"));
      if (traces.length < 2) throw new Error(`${id}: the CLI wrote ${traces.length} trace files`);
      let worst = 0;
      for (const rel of traces) {
        if (!web[rel]) throw new Error(`${id}: the page has no ${rel}`);
        worst = Math.max(worst, relativeDifference(rel, Uint8Array.from(web[rel]), native[rel]));
      }
      if (!(worst <= 1e-5)) throw new Error(`${id}: traces differ from the CLI's by ${worst} (limit 1e-5)`);
      console.log(`${id}: ${traces.length} trace files equal to the CLI's within ${worst.toExponential(2)}`);
    }
    console.log(`${ids.length} presets accepted by the reader`);
  },
  async web_page_archive_and_drag({ page }) {
    await ready(page);
    await page.selectOption("#preset", "preset:layered-adjoint");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-case")]);
    const file = path.join(os.tmpdir(), "seiswg-case-" + process.pid + ".tar");
    await download.saveAs(file);
    const before = await page.evaluate(() => JSON.stringify(window.seiswgPage.state.texts));
    const sums = () => page.evaluate(() => Object.entries(window.seiswgPage.state.models).map(([f, m]) =>
      f + ":" + m.nx + "x" + m.nz + ":" + Object.entries(m.fields).map(([n, v]) => n + "=" + v.reduce((a, b) => a + b, 0)).join(",")).join(";"));
    const modelsBefore = await sums();
    await page.selectOption("#preset", "preset:seispie-homog");
    await page.setInputFiles("#upload-archive", file);
    await page.waitForFunction(() => /loaded/.test(document.getElementById("message").textContent));
    fs.rmSync(file);
    const after = await page.evaluate(() => JSON.stringify(window.seiswgPage.state.texts));
    if (after !== before || (await sums()) !== modelsBefore) throw new Error("the uploaded .tar is not the downloaded case");
    // Drag the first source 200 m to the right.
    const box = await page.locator("#model-view").boundingBox();
    const [sx, sz] = await page.evaluate(() => {
      const c = document.getElementById("model-view"), r = c.getBoundingClientRect();
      const first = window.seiswgPage.state.texts["sources.dat"].trim().split("\n")[0].split(/\s+/).map(Number);
      return [first[0], first[1], r.width / c.width];
    });
    const at = await page.evaluate(([x, z]) => window.seiswgPage.toPixel(x, z), [sx, sz]);
    const scale = box.width / 640;
    await page.mouse.move(box.x + at[0] * scale, box.y + at[1] * scale);
    await page.mouse.down();
    await page.mouse.move(box.x + (at[0] + 40) * scale, box.y + at[1] * scale, { steps: 5 });
    await page.mouse.up();
    const moved = await page.evaluate(() => window.seiswgPage.state.texts["sources.dat"].trim().split("\n")[0].split(/\s+/).map(Number));
    if (!(moved[0] > sx + 50) || Math.abs(moved[1] - sz) > 15) throw new Error(`the source did not follow the mouse: ${sx},${sz} -> ${moved}`);
    console.log(`the .tar round trip keeps the case; the source moved from (${sx}, ${sz}) to (${moved[0]}, ${moved[1]}) m`);
  },
};

// Persistence needs two launches on one browser profile.
async function persistence() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "seiswg-profile-"));
  try {
    let b = await openPage({ profile });
    await ready(b.page);
    await b.page.selectOption("#preset", "preset:layered");
    await b.page.fill("#editor", (await b.page.inputValue("#editor")) + "\n# edited before saving\n");
    await b.page.fill("#case-name", "my layered case");
    await b.page.click("#save");
    await b.page.waitForFunction(() => /saved/.test(document.getElementById("message").textContent));
    const before = await b.page.inputValue("#editor");
    await b.close();
    b = await openPage({ profile, port: b.port });  // a browser restart on the same profile and origin
    await ready(b.page);
    const options = await b.page.$$eval("#preset option", (os) => os.map((o) => o.value));
    if (!options.includes("saved:my layered case")) throw new Error("the saved case is gone after a restart: " + options.join(", "));
    await b.page.selectOption("#preset", "saved:my layered case");
    await b.page.waitForFunction(() => document.getElementById("editor").value.includes("edited before saving"));
    const after = await b.page.inputValue("#editor");
    if (after !== before) throw new Error("the saved config differs after the restart");
    const folders = await b.page.$$eval("#model-folder option", (os) => os.map((o) => o.value));
    await b.close();
    console.log(`"my layered case" is there after a browser restart: config as saved, model folders ${folders.join(", ")}`);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

test(which, async () => {
  if (which === "web_page_persistence") return persistence();
  if (!tests[which]) throw new Error("no test " + which);
  const browser = await openPage();
  try {
    await tests[which](browser);
  } finally {
    await browser.close();
  }
});
