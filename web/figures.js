// The page's figures on 2-D canvases, drawn from read-back data: a field on the model grid (axes in m or
// km, depth downward, colour bar with unit, sources and stations), a seismogram gather (time downward,
// receiver across) and a misfit curve (log scale). The colour maps are io/png.cpp's, so that the page
// and the CLI's PNG files look alike.
"use strict";
(function () {
  const DIVERGING = [[0.00, 40, 55, 135], [0.18, 45, 110, 185], [0.35, 130, 180, 220], [0.50, 255, 255, 255],
                     [0.65, 240, 165, 135], [0.82, 205, 65, 55], [1.00, 120, 15, 30]];
  const SEQUENTIAL = [[0.00, 45, 15, 75], [0.25, 65, 70, 140], [0.50, 35, 140, 140], [0.75, 95, 195, 95],
                      [1.00, 245, 230, 50]];
  function lookup(stops, s) {
    if (!Number.isFinite(s)) return [255, 0, 255];
    s = Math.min(1, Math.max(0, s));
    let k = 1;
    while (k < stops.length - 1 && s > stops[k][0]) ++k;
    const a = stops[k - 1], b = stops[k], w = (s - a[0]) / (b[0] - a[0]);
    return [1, 2, 3].map((c) => Math.round(a[c] + w * (b[c] - a[c])));
  }
  function absQuantile(values, q) {
    const a = [];
    for (const v of values) if (Number.isFinite(v)) a.push(Math.abs(v));
    if (!a.length) return 0;
    a.sort((x, y) => x - y);
    return a[Math.min(a.length - 1, Math.floor(q * (a.length - 1)))];
  }
  function range(values, diverging) {
    if (diverging) {
      let c = absQuantile(values, 0.99);
      if (c === 0) c = absQuantile(values, 1) || 1;
      return [-c, c];
    }
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) lo = Math.min(lo, v), hi = Math.max(hi, v);
    if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1) * 1e-3, lo -= (Math.abs(lo) || 1) * 1e-3;
    return [lo, hi];
  }
  function ticks(lo, hi, target) {
    const raw = (hi - lo) / target, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    // The largest of 1, 2, 2.5, 5, 10 (x 10^n) not beyond 1.5 x the even split: `target` ticks or a few more.
    const step = [10, 5, 2.5, 2, 1].map((m) => m * mag).find((s) => s <= 1.5 * raw) || mag;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  const number = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : +v.toPrecision(4) + "");

  // A colour bar at (x, y) of height h for [lo, hi], labelled `label`.
  function colorBar(ctx, x, y, h, lo, hi, diverging, label) {
    for (let r = 0; r < h; ++r) {
      const t = 1 - r / (h - 1), [R, G, B] = diverging ? lookup(DIVERGING, t) : lookup(SEQUENTIAL, t);
      ctx.fillStyle = `rgb(${R},${G},${B})`;
      ctx.fillRect(x, y + r, 14, 1);
    }
    ctx.strokeStyle = "#333";
    ctx.strokeRect(x - 0.5, y - 0.5, 15, h + 1);
    ctx.fillStyle = "#222";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const v of ticks(lo, hi, 4)) ctx.fillText(number(v), x + 19, y + (h - 1) * (1 - (v - lo) / (hi - lo)));
    ctx.save();
    ctx.translate(x + 72, y + h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(label, 0, 0);
    ctx.restore();
  }

  // A field on the grid (node k = i*nz + j, i along x, j downward) with axes, colour bar and marks.
  // Returns the plot box, so that the page can map mouse positions to model coordinates.
  function drawField(canvas, f, opts = {}) {
    const { values, nx, nz, dx, dz } = f, diverging = !!opts.diverging;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const km = Math.max((nx - 1) * dx, (nz - 1) * dz) >= 2000, unit = km ? "km" : "m", s = km ? 1e-3 : 1;
    const left = 58, top = 50, room = { w: canvas.width - left - 110, h: canvas.height - top - 22 };
    const scale = Math.min(room.w / (nx * dx), room.h / (nz * dz));
    const box = { x: left, y: top, w: Math.max(1, Math.round(nx * dx * scale)), h: Math.max(1, Math.round(nz * dz * scale)) };
    const [lo, hi] = opts.range || range(values, diverging);
    const img = ctx.createImageData(nx, nz);
    for (let i = 0; i < nx; ++i)
      for (let j = 0; j < nz; ++j) {
        const v = values[i * nz + j];
        const c = diverging ? lookup(DIVERGING, 0.5 + 0.5 * v / hi) : lookup(SEQUENTIAL, (v - lo) / (hi - lo));
        const p = 4 * (j * nx + i);
        img.data[p] = c[0], img.data[p + 1] = c[1], img.data[p + 2] = c[2], img.data[p + 3] = 255;
      }
    const tmp = document.createElement("canvas");
    tmp.width = nx, tmp.height = nz;
    tmp.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, box.x, box.y, box.w, box.h);
    ctx.strokeStyle = "#333";
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    // Axes: x on top (distance), z down the left side (depth).
    ctx.fillStyle = "#222";
    ctx.font = "11px sans-serif";
    const toX = (x) => box.x + (x / (nx * dx)) * box.w, toZ = (z) => box.y + (z / (nz * dz)) * box.h;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    for (const v of ticks(0, (nx - 1) * dx * s, 6)) ctx.fillText(number(v), toX(v / s + dx / 2), box.y - 3);
    ctx.fillText(`x (${unit})`, box.x + box.w / 2, box.y - 18);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(0, (nz - 1) * dz * s, 5)) ctx.fillText(number(v), box.x - 4, toZ(v / s + dz / 2));
    ctx.save();
    ctx.translate(14, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(`depth z (${unit})`, 0, 0);
    ctx.restore();
    ctx.font = "bold 12px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(opts.title || "", 4, 2);
    colorBar(ctx, box.x + box.w + 12, box.y, Math.max(box.h, 80), lo, hi, diverging,
             (opts.quantity || "") + (opts.unit ? ` (${opts.unit})` : ""));
    const at = (x, z) => [toX(x + dx / 2), toZ(z + dz / 2)];
    for (const [x, z] of opts.stations || []) {
      const [px, pz] = at(x, z);
      ctx.fillStyle = "#1b7a1b";
      ctx.beginPath();
      ctx.moveTo(px, pz - 5), ctx.lineTo(px - 4.5, pz + 4), ctx.lineTo(px + 4.5, pz + 4), ctx.closePath();
      ctx.fill();
    }
    for (const [x, z] of opts.sources || []) {
      const [px, pz] = at(x, z);
      ctx.fillStyle = "#d62020";
      ctx.strokeStyle = "#fff";
      ctx.beginPath();
      for (let k = 0; k < 10; ++k) {
        const r = k % 2 ? 3 : 7.5, a = -Math.PI / 2 + (k * Math.PI) / 5;
        ctx.lineTo(px + r * Math.cos(a), pz + r * Math.sin(a));
      }
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    return { box, toModel: (px, py) => [((px - box.x) / box.w) * nx * dx - dx / 2, ((py - box.y) / box.h) * nz * dz - dz / 2],
             toPixel: at };
  }

  // A gather traces[r*nt + t]: receivers across, time (s) downward, diverging scale.
  function drawGather(canvas, traces, nrec, nt, dt, opts = {}) {
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const box = { x: 58, y: 50, w: canvas.width - 58 - 110, h: canvas.height - 50 - 22 };
    const [, hi] = range(traces, true);
    const img = ctx.createImageData(nrec, nt);
    for (let r = 0; r < nrec; ++r)
      for (let t = 0; t < nt; ++t) {
        const c = lookup(DIVERGING, 0.5 + 0.5 * traces[r * nt + t] / hi), p = 4 * (t * nrec + r);
        img.data[p] = c[0], img.data[p + 1] = c[1], img.data[p + 2] = c[2], img.data[p + 3] = 255;
      }
    const tmp = document.createElement("canvas");
    tmp.width = nrec, tmp.height = nt;
    tmp.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, box.x, box.y, box.w, box.h);
    ctx.strokeStyle = "#333";
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = "#222";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    for (const v of ticks(1, nrec, Math.min(8, nrec)).filter(Number.isInteger))
      ctx.fillText(v, box.x + ((v - 0.5) / nrec) * box.w, box.y - 3);
    ctx.fillText("receiver", box.x + box.w / 2, box.y - 18);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(0, (nt - 1) * dt, 6)) ctx.fillText(number(v), box.x - 4, box.y + (v / (nt * dt)) * box.h);
    ctx.save();
    ctx.translate(14, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("time (s)", 0, 0);
    ctx.restore();
    ctx.font = "bold 12px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(opts.title || "", 4, 2);
    colorBar(ctx, box.x + box.w + 12, box.y, box.h, -hi, hi, true, (opts.quantity || "") + (opts.unit ? ` (${opts.unit})` : ""));
  }

  // Misfit per iteration, log scale.
  function drawCurve(canvas, points, opts = {}) {
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const box = { x: 70, y: 30, w: canvas.width - 90, h: canvas.height - 70 };
    ctx.strokeStyle = "#333";
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = "#222";
    ctx.font = "bold 12px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(opts.title || "misfit", 4, 4);
    const good = points.filter((p) => p[1] > 0);
    if (!good.length) return;
    const xs = good.map((p) => p[0]), ys = good.map((p) => Math.log10(p[1]));
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (y1 - y0 < 0.1) y0 -= 0.05, y1 += 0.05;
    const px = (x) => box.x + ((x - x0) / (x1 - x0)) * box.w, py = (y) => box.y + box.h - ((y - y0) / (y1 - y0)) * box.h;
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks(x0, x1, 6).filter(Number.isInteger)) ctx.fillText(v, px(v), box.y + box.h + 4);
    ctx.fillText(opts.xLabel || "iteration", box.x + box.w / 2, box.y + box.h + 20);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(y0, y1, 4)) ctx.fillText(number(Math.pow(10, v)), box.x - 4, py(v));
    ctx.save();
    ctx.translate(12, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(opts.yLabel || "misfit J (log scale)", 0, 0);
    ctx.restore();
    ctx.strokeStyle = "#2a5db0";
    ctx.fillStyle = "#2a5db0";
    ctx.beginPath();
    good.forEach((p, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, px(p[0]), py(Math.log10(p[1]))));
    ctx.stroke();
    for (const p of good) ctx.fillRect(px(p[0]) - 3, py(Math.log10(p[1])) - 3, 6, 6);
  }

  window.seiswgFigures = { drawField, drawGather, drawCurve };
})();
