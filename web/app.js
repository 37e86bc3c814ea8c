// The page: a case (config, sources, stations, model folders) edited here, run through window.seiswg,
// watched while it runs (progress, wavefield, kernels, the inversion's model and misfit), its files
// listed for download, saved in IndexedDB, packed as a tar or a link.
"use strict";
(function () {
  const F = window.seiswgFiles, figures = window.seiswgFigures, P = window.seiswgPresets;
  const $ = (id) => document.getElementById(id);
  const TEXTS = ["config.ini", "sources.dat", "stations.dat"];
  const UNITS = { vp: "m/s", vs: "m/s", rho: "kg/m³", mu: "Pa", lambda: "Pa", kappa: "Pa", nu: "Pa", lambda_c: "Pa",
                  mu_c: "Pa", nu_c: "Pa" };
  // What tests look at: the case, the wavefield frames drawn, where model coordinates lie on the image.
  const page = (window.seiswgPage = { frames: [], state: null, toPixel: (x, z) => page.plot && page.plot.toPixel(x, z) });
  let state = null;        // {name, texts, models: {folder: {nx, nz, dx, dz, fields}}, extra, results}
  let modelPlot = null;    // where the model view's plot lies (mouse -> model coordinates)
  let misfits = [];

  // ---- the case ---------------------------------------------------------------------------------
  function emptyModel(nx, nz, d, base) {
    const fields = {};
    for (const [name, v] of Object.entries(base)) fields[name] = new Float32Array(nx * nz).fill(v);
    return { nx, nz, dx: d, dz: d, fields };
  }
  // The model builders of the presets and of the "Apply to the field" button.
  function applyStep(model, step) {
    const { nx, nz, dx, dz } = model;
    const names = step.fields || Object.keys(model.fields).filter((n) => n === "vp" || n === "vs");
    for (const name of names) {
      const f = model.fields[name];
      if (!f) continue;
      for (let i = 0; i < nx; ++i)
        for (let j = 0; j < nz; ++j) {
          const x = i * dx, z = j * dz, k = i * nz + j;
          if (step.kind === "homogeneous") f[k] = step.value;
          else if (step.kind === "layers") f[k] *= Math.pow(step.factor, step.depths.filter((d) => z >= d).length);
          else if (step.kind === "checkerboard")
            f[k] *= 1 + (step.percent / 100) * ((Math.floor(x / step.size) + Math.floor(z / step.size)) % 2 ? -1 : 1);
          else if (step.kind === "gaussian")
            f[k] *= 1 + (step.percent / 100) * Math.exp(-((x - step.x) ** 2 + (z - step.z) ** 2) / (2 * step.radius ** 2));
          else if (step.kind === "brush" && (x - step.x) ** 2 + (z - step.z) ** 2 <= step.radius ** 2) f[k] = step.value;
        }
    }
  }
  function presetCase(p) {
    const models = {};
    for (const [folder, m] of Object.entries(p.models)) {
      models[folder] = emptyModel(m.nx, m.nz, m.d, m.base);
      for (const [name, values] of Object.entries(m.values || {})) models[folder].fields[name].set(values);
      for (const step of m.steps) applyStep(models[folder], step);
    }
    return { name: p.id, texts: { "config.ini": p.config, "sources.dat": p.sourcesDat || P.sourcesText(p.sources),
                                  "stations.dat": P.stationsText(p.stations) }, models, extra: {}, results: {} };
  }
  // Every file of the case, as the CLI would find it in a folder.
  function caseFiles(c = state) {
    const files = {};
    for (const name of TEXTS) if (c.texts[name] !== undefined) files[name] = F.enc.encode(c.texts[name]);
    for (const [folder, m] of Object.entries(c.models)) {
      const x = new Float32Array(m.nx * m.nz), z = new Float32Array(m.nx * m.nz);
      for (let i = 0; i < m.nx; ++i) for (let j = 0; j < m.nz; ++j) x[i * m.nz + j] = i * m.dx, z[i * m.nz + j] = j * m.dz;
      files[folder + "/proc000000_x.bin"] = F.floatsToBin(x);
      files[folder + "/proc000000_z.bin"] = F.floatsToBin(z);
      for (const [name, v] of Object.entries(m.fields)) files[`${folder}/proc000000_${name}.bin`] = F.floatsToBin(v);
    }
    return Object.assign(files, c.extra);
  }  // A preset's files as the page builds them (tests hand them to the CLI too).
  page.presetFiles = (id) => caseFiles(presetCase(P.presets.find((p) => p.id === id)));

  // A case from files: the three texts, model folders (those with proc000000_x.bin and _z.bin), the rest as is.
  function caseFromFiles(name, files) {
    const c = { name, texts: {}, models: {}, extra: {}, results: {} };
    const folders = new Set(Object.keys(files).filter((p) => p.endsWith("proc000000_x.bin") &&
      files[p.replace(/_x\.bin$/, "_z.bin")]).map((p) => p.slice(0, p.lastIndexOf("/"))));
    for (const [path, bytes] of Object.entries(files)) {
      const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
      if (TEXTS.includes(path)) c.texts[path] = F.dec.decode(bytes);
      else if (!folders.has(folder)) c.extra[path] = bytes;
    }
    for (const folder of folders) {
      try {
        const x = F.binToFloats(files[folder + "/proc000000_x.bin"], folder + "/proc000000_x.bin");
        const z = F.binToFloats(files[folder + "/proc000000_z.bin"], folder + "/proc000000_z.bin");
        let nz = 1;
        while (nz < x.length && x[nz] === x[0]) ++nz;
        const nx = x.length / nz;
        if (!Number.isInteger(nx) || nx < 2 || nz < 2) throw new Error("not a regular grid");
        const m = { nx, nz, dx: x[nz] - x[0], dz: z[1] - z[0], fields: {} };
        for (const [path, bytes] of Object.entries(files)) {
          const match = path.match(/^(.*)\/proc000000_(\w+)\.bin$/);
          if (match && match[1] === folder && match[2] !== "x" && match[2] !== "z") m.fields[match[2]] = F.binToFloats(bytes, path);
        }
        c.models[folder] = m;
      } catch (e) {
        // Not a grid the editor can show: the folder's files go to the solver unchanged (it says what is wrong).
        for (const [path, bytes] of Object.entries(files)) if (path.startsWith(folder + "/")) c.extra[path] = bytes;
      }
    }
    for (const t of TEXTS) if (c.texts[t] === undefined) c.texts[t] = "";
    return c;
  }
  const points = (text, minColumns) => text.split("\n").map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r.length >= minColumns && r.slice(0, 2).every(Number.isFinite));

  // ---- views ------------------------------------------------------------------------------------
  let activeFile = "config.ini";
  function showCase(c) {
    state = page.state = c;
    $("case-name").value = c.name;
    $("editor").value = c.texts[activeFile] || "";
    const folders = Object.keys(c.models);
    $("model-folder").innerHTML = folders.map((f) => `<option>${f}</option>`).join("");
    const preferred = folders.find((f) => f === "model_true") || folders[0];
    if (preferred) $("model-folder").value = preferred;
    showFields();
    listResults(c.results || {});
  }
  function showFields() {
    const m = state.models[$("model-folder").value];
    const names = m ? Object.keys(m.fields) : [];
    $("model-field").innerHTML = names.map((n) => `<option>${n}</option>`).join("");
    if (names.includes("vs")) $("model-field").value = "vs";
    drawModel();
  }
  let modelRange = null;  // an inversion's models share one colour range: the true and starting models'
  function drawModel(values, title) {
    const m = state.models[$("model-folder").value], name = $("model-field").value;
    const canvas = $("model-view");
    if (!m || !m.fields[name]) {
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      modelPlot = null;
      return;
    }
    modelPlot = page.plot = figures.drawField(canvas, { values: values || m.fields[name], nx: m.nx, nz: m.nz, dx: m.dx, dz: m.dz }, {
      title: title || `${name}, ${$("model-folder").value}/ (drag ★ ▲ to move them)`, quantity: name, unit: UNITS[name],
      range: values ? modelRange : null,
      sources: points(state.texts["sources.dat"], 2), stations: points(state.texts["stations.dat"], 2) });
  }
  function message(text, kind = "error") {
    const el = $("message");
    el.hidden = !text;
    el.className = "message " + kind;
    el.textContent = text || "";
  }
  function listResults(files) {
    const list = $("result-list");
    const paths = Object.keys(files).sort();
    if (!paths.length) return (list.textContent = "run a case to see its files here");
    list.innerHTML = "";
    const all = document.createElement("button");
    all.textContent = `Download all ${paths.length} files (.tar)`;
    all.onclick = () => F.download(`${state.name || "case"}-results.tar`, F.tar(files), "application/x-tar");
    list.appendChild(all);
    // Kernels (and any other field on the model grid) can be shown: one button each.
    const grid = state.models.model_init || Object.values(state.models)[0];
    for (const p of paths.filter((q) => /kernels\/proc000000_k\w+\.bin$/.test(q))) {
      const name = p.match(/_k(\w+)\.bin$/)[1], b = document.createElement("button");
      b.textContent = "show K_" + name;
      b.onclick = () => {
        const values = F.binToFloats(files[p], p);
        if (!grid || values.length !== grid.nx * grid.nz) return message(`${p}: not on the model's grid`);
        figures.drawField($("extra"), { ...grid, values }, { diverging: true, quantity: "K_" + name,
          title: `sensitivity kernel K_${name} = dJ/d${name} (${p})`, unit: UNITS[name] ? "J per " + UNITS[name] : "",
          sources: points(state.texts["sources.dat"], 2), stations: points(state.texts["stations.dat"], 2) });
      };
      list.appendChild(b);
    }
    for (const p of paths) {
      const a = document.createElement("a");
      a.href = "#";
      a.textContent = `${p} (${files[p].length} bytes)`;
      a.dataset.path = p;
      a.onclick = (e) => (e.preventDefault(), F.download(p.split("/").pop(), files[p]));
      list.appendChild(a);
    }
  }
  function config(section, key) {
    let sec = null;
    for (const line of state.texts["config.ini"].split("\n")) {
      const s = line.replace(/[#;].*$/, "").trim();
      if (/^\[.*\]$/.test(s)) sec = s.slice(1, -1).trim();
      else if (sec === section && s.split("=")[0].trim() === key) return s.slice(s.indexOf("=") + 1).trim();
    }
    return undefined;
  }
  function drawGatherOf(files) {
    const rank = (p) => ["uy", "ux", "uz", "ry"].indexOf(p.split("/").pop().split("_")[0]);
    const path = Object.keys(files).filter((p) => /(^|\/)(u[yxz]|ry)_\d+\.npy$/.test(p)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))[0];
    if (!path) return false;
    const { values, shape } = F.npyToFloats(files[path], path);
    const name = path.split("/").pop().split("_")[0];
    figures.drawGather($("gather"), values, shape[0], shape[1], Number(config("solver", "dt")) || 1,
                       { title: `${name} seismograms (${path})`, quantity: name, unit: name === "ry" ? "rad" : "m" });
    $("gather").dataset.drawn = path;
    return true;
  }

  // ---- running ----------------------------------------------------------------------------------
  function checksum(canvas) {
    const d = canvas.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 0;
    for (let k = 0; k < d.length; k += 7) h = (h * 31 + d[k]) | 0;
    return h;
  }
  async function run() {
    // A check of the editors may still be going on in the worker: the run waits for it.
    clearTimeout(checkTimer);
    while (window.seiswg.running()) await new Promise((resolve) => setTimeout(resolve, 50));
    message("");
    $("check").textContent = "";
    $("run").disabled = true;
    $("cancel").disabled = false;
    $("progress").value = 0;
    $("log").textContent = "";
    misfits = [];
    page.frames = [];
    const inversion = config("workflow", "mode") === "inversion";
    const t0 = performance.now();
    modelRange = null;
    const shown = $("model-field").value, truth = state.models.model_true;
    if (inversion && truth && truth.fields[shown]) {
      let lo = Infinity, hi = -Infinity;
      for (const m of [truth, state.models.model_init])
        for (const v of (m && m.fields[shown]) || []) lo = Math.min(lo, v), hi = Math.max(hi, v);
      modelRange = hi > lo ? [lo, hi] : null;
      figures.drawField($("wavefield"), { ...truth, values: truth.fields[shown] }, { title: `${shown}, true model (model_true/)`,
        quantity: shown, unit: UNITS[shown], range: modelRange,
        sources: points(state.texts["sources.dat"], 2), stations: points(state.texts["stations.dat"], 2) });
    }
    try {
      const result = await window.seiswg.run(caseFiles(), {
        onProgress: (p) => {
          $("progress").value = p.total ? p.done / p.total : 0;
          $("progress-text").textContent = `${p.label} step ${p.done} of ${p.total}`;
        },
        onField: (f) => {
          const snapshot = f.name.match(/^proc(\d+)_(\w+?)(_src(\d+))?$/), kernel = f.name.match(/^k(\w+)$/);
          const iteration = f.name.match(/^iter_(\d+)\/(\w+)$/);
          // One component animates, so that frames do not alternate between components: vy in an SH
          // run, vz in a P-SV or Cosserat run (the others are in the result files).
          if (snapshot && (snapshot[2] === "vy" || snapshot[2] === "vz")) {
            const comp = snapshot[2];
            figures.drawField($("wavefield"), f, { diverging: true, quantity: comp, unit: "m/s",
              title: `${comp} wavefield, step ${f.step} (t = ${(f.step * Number(config("solver", "dt"))).toFixed(3)} s)` +
                     (snapshot[4] ? `, source ${Number(snapshot[4]) + 1}` : ""),
              sources: points(state.texts["sources.dat"], 2), stations: points(state.texts["stations.dat"], 2) });
            page.frames.push(checksum($("wavefield")));
          } else if (kernel) {
            figures.drawField($("extra"), f, { diverging: true, quantity: "K_" + kernel[1],
              title: `sensitivity kernel K_${kernel[1]} = dJ/d${kernel[1]}`, unit: UNITS[kernel[1]] ? "J per " + UNITS[kernel[1]] : "",
              sources: points(state.texts["sources.dat"], 2), stations: points(state.texts["stations.dat"], 2) });
            $("extra").dataset.drawn = "kernel";
          } else if (iteration && iteration[2] === shown) {
            drawModel(f.values, `${iteration[2]}, inversion iteration ${Number(iteration[1])}`);
          }
        },
        onMisfit: (m) => {
          misfits.push([m.iteration, m.misfit]);
          figures.drawCurve($("extra"), misfits, { title: "misfit per iteration" });
          $("extra").dataset.drawn = "misfit";
        },
      });
      state.results = result.files;
      $("log").textContent = result.log;
      listResults(result.files);
      if (!drawGatherOf(result.files) && !inversion) $("gather").dataset.drawn = "";
      $("progress").value = 1;
      $("progress-text").textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
        `${Object.keys(result.files).length} files`;
      const saved = await F.store.get(state.name).catch(() => null);
      if (saved) await F.store.put({ name: state.name, files: caseFiles(), results: result.files });
    } catch (e) {
      message(e.message, e.kind === "cancelled" ? "info" : "error");
      if (e.kind === "input") $("check").textContent = e.message, ($("check").className = "small error");
      $("log").textContent = e.log || "";
      $("progress-text").textContent = e.kind === "cancelled" ? "cancelled" : "failed";
    } finally {
      $("run").disabled = false;
      $("cancel").disabled = true;
    }
  }

  // The reader's messages while editing: `seiswg check` on the case, a moment after the last key.
  let checkTimer = null;
  function checkSoon() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      if (window.seiswg.running()) return;
      try {
        const r = await window.seiswg.check(caseFiles());
        $("check").className = "small";
        $("check").textContent = "✓ the case reads: " + (r.log.split("\n").find((l) => /grid/i.test(l)) || "").trim();
      } catch (e) {
        if (e.kind === "busy") return;
        $("check").className = "small error";
        $("check").textContent = e.message;
      }
    }, 700);
  }

  // ---- presets and storage ----------------------------------------------------------------------
  async function fillPresets(select) {
    const saved = await F.store.list().catch(() => []);
    const options = P.presets.map((p) => `<option value="preset:${p.id}">${p.title}</option>`);
    const mine = saved.map((s) => `<option value="saved:${s.name}">${s.name} (saved ${new Date(s.saved).toLocaleString()})</option>`);
    $("preset").innerHTML = `<optgroup label="Examples">${options.join("")}</optgroup>` +
      (mine.length ? `<optgroup label="Saved cases">${mine.join("")}</optgroup>` : "");
    if (select) $("preset").value = select;
  }
  async function pick(value) {
    message("");
    if (value.startsWith("preset:")) showCase(presetCase(P.presets.find((p) => "preset:" + p.id === value)));
    else {
      const record = await F.store.get(value.slice(6));
      const c = caseFromFiles(record.name, record.files);
      c.results = record.results || {};
      showCase(c);
      drawGatherOf(c.results);
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------
  $("preset").onchange = () => pick($("preset").value);
  $("run").onclick = run;
  $("cancel").onclick = () => window.seiswg.cancel();
  $("editor-tabs").onclick = (e) => {
    const file = e.target.dataset && e.target.dataset.file;
    if (!file) return;
    activeFile = file;
    for (const b of $("editor-tabs").children) b.classList.toggle("active", b.dataset.file === file);
    $("editor").value = state.texts[file] || "";
  };
  $("editor").oninput = () => {
    state.texts[activeFile] = $("editor").value;
    if (activeFile !== "config.ini") drawModel();
    checkSoon();
  };
  $("model-folder").onchange = showFields;
  $("model-field").onchange = () => drawModel();
  $("save").onclick = async () => {
    const name = $("case-name").value.trim();
    if (!name) return message("give the case a name first");
    state.name = name;
    await F.store.put({ name, files: caseFiles(), results: state.results || {} });
    await fillPresets("saved:" + name);
    message(`saved "${name}" in this browser (IndexedDB): it is there after a reload`, "info");
  };
  $("delete").onclick = async () => {
    await F.store.remove($("case-name").value.trim());
    await fillPresets();
    message("removed", "info");
  };
  $("download-case").onclick = () => F.download(`${state.name || "case"}.tar`, F.tar(caseFiles()), "application/x-tar");
  async function upload(name, files) {
    const c = caseFromFiles(name, F.stripCommonFolder(files));
    showCase(c);
    message(`loaded ${Object.keys(files).length} files of "${name}"`, "info");
    checkSoon();
  }
  $("upload-folder").onchange = async (e) => {
    const files = {};
    for (const f of e.target.files) files[f.webkitRelativePath || f.name] = new Uint8Array(await f.arrayBuffer());
    const first = e.target.files[0];
    await upload(first ? (first.webkitRelativePath || "case").split("/")[0] : "case", files);
  };
  $("upload-archive").onchange = async (e) => {
    const f = e.target.files[0];
    if (f) await upload(f.name.replace(/\.tar$/, ""), F.untar(new Uint8Array(await f.arrayBuffer())));
  };
  $("upload-field").onchange = async (e) => {
    const f = e.target.files[0], m = state.models[$("model-folder").value], name = $("model-field").value;
    if (!f || !m) return;
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const values = f.name.endsWith(".npy") ? F.npyToFloats(bytes, f.name).values : F.binToFloats(bytes, f.name);
      if (values.length !== m.nx * m.nz)
        throw new Error(`${f.name} holds ${values.length} values, the grid ${m.nx} x ${m.nz} = ${m.nx * m.nz} (node k = i*nz + j)`);
      m.fields[name] = Float32Array.from(values);
      drawModel();
      checkSoon();
    } catch (err) {
      message(err.message);
    }
  };
  $("build").onclick = () => {
    const m = state.models[$("model-folder").value], name = $("model-field").value;
    if (!m) return;
    const w = (m.nx - 1) * m.dx, h = (m.nz - 1) * m.dz, kind = $("builder").value;
    const step = { kind, fields: [name], value: Number($("brush-value").value), depths: [h / 3, (2 * h) / 3], factor: 1.25,
                   size: 200, percent: kind === "checkerboard" ? 8 : -20, x: w / 2, z: h / 2, radius: w / 8 };
    applyStep(m, step);
    drawModel();
  };
  $("share").onclick = async () => {
    const link = await F.caseToLink(caseFiles());
    const url = location.href.split("#")[0] + "#case=" + link;
    $("share-url").hidden = false;
    $("share-url").value = url;
    $("share-url").select();
    message(url.length > 60000 ? `the link is ${url.length} characters long: too long for most browsers; share the .tar instead`
                               : `a link of ${url.length} characters holds this case`, url.length > 60000 ? "error" : "info");
  };

  // Sources and stations on the model image: drag to move, double-click to add a station; the brush paints.
  let dragging = null;
  function markerAt(px, py) {
    for (const [file, min] of [["sources.dat", 2], ["stations.dat", 2]]) {
      const lines = state.texts[file].split("\n");
      for (let k = 0; k < lines.length; ++k) {
        const r = lines[k].trim().split(/\s+/).map(Number);
        if (r.length < min || !r.slice(0, 2).every(Number.isFinite)) continue;
        const [qx, qz] = modelPlot.toPixel(r[0], r[1]);
        if (Math.hypot(qx - px, qz - py) < 8) return { file, line: k };
      }
    }
    return null;
  }
  // Mouse position in canvas pixels (the canvas is scaled to its column's width by CSS).
  const mouse = (e) => {
    const c = $("model-view"), r = c.getBoundingClientRect();
    return [((e.clientX - r.left) * c.width) / r.width, ((e.clientY - r.top) * c.height) / r.height];
  };
  $("model-view").onmousedown = (e) => {
    if (!modelPlot) return;
    const [px, py] = mouse(e);
    if ($("tool").value === "brush") {
      dragging = { brush: true };
      paint(px, py);
    } else dragging = markerAt(px, py);
  };
  function paint(px, py) {
    const m = state.models[$("model-folder").value], [x, z] = modelPlot.toModel(px, py);
    applyStep(m, { kind: "brush", fields: [$("model-field").value], x, z, radius: Number($("brush-radius").value),
                   value: Number($("brush-value").value) });
    drawModel();
  }
  $("model-view").onmousemove = (e) => {
    if (!dragging || !modelPlot) return;
    const [px, py] = mouse(e);
    if (dragging.brush) return paint(px, py);
    const [x, z] = modelPlot.toModel(px, py), lines = state.texts[dragging.file].split("\n");
    const cols = lines[dragging.line].trim().split(/\s+/);
    cols[0] = Math.max(0, x).toFixed(1), cols[1] = Math.max(0, z).toFixed(1);
    lines[dragging.line] = cols.join(" ");
    state.texts[dragging.file] = lines.join("\n");
    if (activeFile === dragging.file) $("editor").value = state.texts[activeFile];
    drawModel();
  };
  window.addEventListener("mouseup", () => {
    if (dragging) checkSoon();
    dragging = null;
  });
  $("model-view").ondblclick = (e) => {
    if (!modelPlot || $("tool").value !== "drag") return;
    const [x, z] = modelPlot.toModel(...mouse(e));
    state.texts["stations.dat"] = state.texts["stations.dat"].replace(/\n*$/, "\n") + `${x.toFixed(1)} ${z.toFixed(1)}\n`;
    if (activeFile === "stations.dat") $("editor").value = state.texts[activeFile];
    drawModel();
  };

  // ---- start ------------------------------------------------------------------------------------
  (async () => {
    if (!navigator.gpu)
      message(window.seiswgWebGpuHelp.noWebGpu);
    else navigator.gpu.requestAdapter().then((a) => {
      if (!a) message(window.seiswgWebGpuHelp.noAdapter);
      const info = (a && a.info) || {};
      $("adapter").textContent = a ? `GPU: ${info.description || [info.vendor, info.architecture].filter(Boolean).join(" ") || "WebGPU adapter"}` +
        (info.isFallbackAdapter ? " (CPU fallback: slow)" : "") : "no WebGPU adapter";
    });
    await fillPresets();
    const shared = location.hash.match(/^#case=(.+)$/);
    if (shared) {
      try {
        showCase(caseFromFiles("shared case", await F.linkToCase(shared[1])));
        message("the case of the link is loaded", "info");
      } catch (e) {
        message("the link holds no readable case: " + e.message);
        await pick($("preset").value);
      }
    } else await pick($("preset").value);
    page.ready = true;
  })();
})();
