// The page's presets: every bundled example (examples/*) at a size that runs in seconds on a laptop's
// GPU, with its models built here by the same builders the model editor offers (layers,
// checkerboard, Gaussian anomaly). The settings are the examples' own; grids, nt and the number of
// sources and stations are smaller.
"use strict";
(function () {
  // Lines of a Seispie config.ini from {section: {key: value}}.
  function ini(comment, sections) {
    const lines = comment.split("\n").map((l) => "# " + l);
    for (const [name, keys] of Object.entries(sections)) {
      lines.push("", `[${name}]`);
      for (const [k, v] of Object.entries(keys)) lines.push(`${k} = ${v}`);
    }
    return lines.join("\n") + "\n";
  }
  const taper = (width, top) => ({ abs_top: top ? "yes" : "no", abs_bottom: "yes", abs_left: "yes", abs_right: "yes",
                                   abs_width: width, abs_alpha: 0.015 });
  const line = (n, x0, x1, z) => Array.from({ length: n }, (_, k) => [x0 + (k * (x1 - x0)) / (n - 1), z]);
  const elastic = (vp, vs, rho) => ({ vp, vs, rho });

  // examples/layered, and examples/layered-cpml (the same with CPML layers instead of the taper).
  const layered = (cpml) => ({
    id: cpml ? "layered-cpml" : "layered",
    title: cpml ? "Layered with CPML layers instead of the taper: SH + P-SV forward (examples/layered-cpml)"
                : "Layered with a slow lens: SH + P-SV forward (examples/layered)",
    config: ini(`examples/layered${cpml ? "-cpml" : ""} at laptop size: 161 x 81 nodes of 10 m, one shot` +
                (cpml ? ";\n20-node convolutional PML layers on the sides and the bottom." : "."), {
      workflow: { mode: "forward" },
      solver: { sh: "yes", psv: "yes", nt: 900, dt: 0.001, ...taper(20, false), save_snapshot: 30,
                combine_sources: "yes", ...(cpml ? { boundary: "cpml", cpml_width: 20 } : {}) },
      path: { output: "output", output_traces: "output/traces", model_true: "model", sources: "sources.dat",
              stations: "stations.dat" } }),
    sources: [[800, 100, 8, 0.15]],
    stations: line(30, 100, 1500, 20),
    models: { model: { nx: 161, nz: 81, d: 10, base: elastic(2000, 1150, 2100), steps: [
      { kind: "layers", depths: [250, 500], factor: 1.25 },
      { kind: "gaussian", x: 900, z: 420, radius: 90, percent: -20 }] } },
  });

  const presets = [
    {
      id: "seispie-homog", title: "Seispie reference: homogeneous, SH + P-SV (tiny)",
      config: ini("Seispie's reference case (tests/data/seispie-homog): 31 x 31 nodes of 25 m.", {
        workflow: { mode: "forward" },
        solver: { sh: "yes", psv: "yes", nt: 100, dt: 0.005, ...taper(8, false), save_coordinates: "yes",
                  save_snapshot: 5, combine_sources: "yes" },
        path: { output: "output", output_traces: "output", model_true: "model", sources: "sources.dat",
                stations: "stations.dat" } }),
      sources: [[375, 225, 4.0, 0.25]],
      stations: [...line(7, 225, 525, 150), [375, 450], [375, 600], [600, 375]],
      models: { model: { nx: 31, nz: 31, d: 25, base: elastic(1732, 1000, 2000), steps: [] } },
    },
    layered(false),
    {
      id: "cosserat", title: "Cosserat (micropolar) P-SV + spin (examples/cosserat)",
      config: ini("examples/cosserat at laptop size: 121 x 121 nodes of 3 m, a stiffer disc.", {
        workflow: { mode: "forward" },
        solver: { sh: "no", psv: "yes", spin: "yes", nt: 500, dt: 0.0002, ...taper(20, true), save_snapshot: 20,
                  combine_sources: "yes" },
        path: { output: "output", model_true: "model", sources: "sources.dat", stations: "stations.dat" } }),
      sources: [[180, 180, 30, 0.04, 30]],
      stations: line(15, 40, 320, 300),
      models: { model: { nx: 121, nz: 121, d: 3,
        base: { rho: 2700, lambda: 8.1e9, mu: 8.1e9, nu: 1.005e9, j: 2700, lambda_c: 7.75e8, mu_c: 1.5e8, nu_c: 3e8 },
        steps: [{ kind: "gaussian", x: 220, z: 200, radius: 30, percent: 40, fields: ["lambda", "mu"] }] } },
    },
    layered(true),
    {
      id: "land", title: "Land survey, P-SV with a free surface: explosion, moment tensor, surface force (examples/land)",
      config: ini("examples/land at laptop size: 161 x 81 nodes of 5 m, a weathered layer over bedrock under the\n" +
                  "free surface (Rayleigh waves); source_types = yes: an explosion (type 1), a moment tensor\n" +
                  "(type 2, mxx mzz mxz) and a vertical force on the surface (type 0, angle 180).", {
        workflow: { mode: "forward" },
        solver: { psv: "yes", free_surface: "yes", source_types: "yes", nt: 1000, dt: 0.0006, ...taper(30, false),
                  save_snapshot: 40, combine_sources: "no" },
        path: { output: "output", output_traces: "output/traces", model_true: "model", sources: "sources.dat",
                stations: "stations.dat" } }),
      // Typed sources (x z type f0 t0 angle amplitude [mxx mzz mxz]), as examples/land/sources.dat.
      sourcesDat: "250.0 30.0 1 10.0 0.12 0.0 1.0e8\n" +
                  "400.0 100.0 2 10.0 0.12 0.0 1.0e8 0.5 -1.0 0.8\n550.0 0.0 0 10.0 0.12 180.0 1.0e8\n",
      stations: line(30, 160, 640, 0),
      models: { model: { nx: 161, nz: 81, d: 5, base: elastic(1800, 900, 1900), steps: [
        { kind: "layers", depths: [80], factor: 3000 / 1800, fields: ["vp"] },
        { kind: "layers", depths: [80], factor: 1700 / 900, fields: ["vs"] },
        { kind: "layers", depths: [80], factor: 2300 / 1900, fields: ["rho"] }] } },
    },
    ...["taper", "cpml"].map((boundary) => ({
      id: boundary === "cpml" ? "acoustic-cpml" : "acoustic",
      title: `Acoustic marine survey: water over sediments under the sea surface${boundary === "cpml" ? ", CPML layers" : ""} ` +
             `(examples/acoustic${boundary === "cpml" ? "-cpml" : ""})`,
      config: ini(`examples/acoustic${boundary === "cpml" ? "-cpml" : ""} at laptop size: 201 x 101 nodes of 5 m, 150 m of ` +
                  `water over sediments with a fast lens; pressure sources and hydrophones${boundary === "cpml" ? ";\n20-node CPML layers on the sides and the bottom" : ""}.`, {
        workflow: { mode: "forward" },
        solver: { acoustic: "yes", free_surface: "yes", point_interpolation: "sinc", nt: 1200, dt: 0.0008,
                  ...taper(30, false), save_snapshot: 40, combine_sources: "no",
                  ...(boundary === "cpml" ? { boundary: "cpml", cpml_width: 20 } : {}) },
        path: { output: "output", output_traces: "output/traces", model_true: "model", sources: "sources.dat",
                stations: "stations.dat" } }),
      sourcesDat: "302.5 11.0 1 15.0 0.1 0.0 1.0e3\n701.5 12.5 0 15.0 0.1 0.0 1.0e6\n",
      stations: line(40, 100, 900, 21.5),
      models: { model: { nx: 201, nz: 101, d: 5, base: { vp: 1500, rho: 1000 }, steps: [
        { kind: "layers", depths: [150], factor: 1900 / 1500, fields: ["vp"] },
        { kind: "layers", depths: [150], factor: 1.8, fields: ["rho"] },
        { kind: "layers", depths: [330], factor: 2500 / 1900, fields: ["vp"] },
        { kind: "gaussian", x: 600, z: 400, radius: 40, percent: 25, fields: ["vp"] }] } },
    })),
    {
      id: "layered-adjoint", title: "Adjoint: misfit and SH kernels (examples/layered-adjoint)",
      config: ini("examples/layered-adjoint at laptop size: data from the layered model with a lens,\n" +
                  "synthetics from the same layers without it; misfit and sensitivity kernels.", {
        workflow: { mode: "adjoint" },
        solver: { sh: "yes", psv: "no", nt: 700, dt: 0.001, ...taper(20, false), combine_sources: "no" },
        path: { output: "output", model_true: "model_true", model_init: "model_init", sources: "sources.dat",
                stations: "stations.dat" } }),
      sources: [[300, 60, 8, 0.15], [1300, 60, 8, 0.15]],
      stations: line(24, 100, 1500, 20),
      models: {
        model_true: { nx: 161, nz: 81, d: 10, base: elastic(2000, 1150, 2100), steps: [
          { kind: "layers", depths: [250, 500], factor: 1.25 },
          { kind: "gaussian", x: 800, z: 400, radius: 90, percent: -20 }] },
        model_init: { nx: 161, nz: 81, d: 10, base: elastic(2000, 1150, 2100), steps: [
          { kind: "layers", depths: [250, 500], factor: 1.25 }] } },
    },
    {
      id: "checkerboard", title: "SH inversion: checkerboard from a homogeneous start (examples/checkerboard)",
      config: ini("examples/checkerboard at laptop size: 81 x 81 nodes of 12.5 m, 4 sources, 24 stations\n" +
                  "around the checks, 6 L-BFGS iterations.", {
        workflow: { mode: "inversion" },
        solver: { sh: "yes", psv: "no", nt: 500, dt: 0.0015, ...taper(15, true), combine_sources: "no",
                  misfit: "waveform", smooth: 1 },
        optimize: { method: "lbfgs", niter: 6, lbfgs_mem: 5, ls_step: 10, ls_step_init: 0.02, ls_step_max: 0.2 },
        inversion: { parameters: "vs", vs_min: 700, vs_max: 1300, source_mask: 4 },
        path: { output: "output", model_true: "model_true", model_init: "model_init", sources: "sources.dat",
                stations: "stations.dat" } }),
      sources: [[250, 250, 6, 0.2], [750, 250, 6, 0.2], [250, 750, 6, 0.2], [750, 750, 6, 0.2]],
      stations: [...line(6, 200, 800, 200), ...line(6, 200, 800, 800),
                 ...line(6, 200, 800, 200).map(([x, z]) => [z, x]), ...line(6, 200, 800, 800).map(([x, z]) => [z, x])],
      models: {
        model_true: { nx: 81, nz: 81, d: 12.5, base: elastic(1800, 1000, 2000), steps: [
          { kind: "checkerboard", size: 200, percent: 8, fields: ["vs"] }] },
        model_init: { nx: 81, nz: 81, d: 12.5, base: elastic(1800, 1000, 2000), steps: [] } },
    },
    {
      id: "marmousi", title: "P-SV inversion of vp and vs, Marmousi at 90 m (examples/marmousi, downsampled)",
      config: ini("examples/marmousi's model and settings at laptop size: its Marmousi (12 km x 3 km) at every\n" +
                  "3rd node, 134 x 34 nodes of 90 m, 3 shots of a 0.8 Hz Ricker (5 points per wavelength in the\n" +
                  "slowest rock), 58 stations at 360 m depth, 4 L-BFGS iterations of vp and vs from its smoothed start.", {
        workflow: { mode: "inversion" },
        solver: { sh: "no", psv: "yes", nt: 1000, dt: 0.008, ...taper(12, true), combine_sources: "no",
                  misfit: "waveform" },
        optimize: { method: "lbfgs", niter: 4, lbfgs_mem: 5, ls_step: 10, ls_step_init: 0.02, ls_step_max: 0.1 },
        inversion: { parameters: "vp, vs", vp_min: 1400, vp_max: 5000, vs_min: 0, vs_max: 2900, smooth_m: 180,
                     top_mute: 5, top_taper: 2, source_mask: 3, depth_weight: 1 },
        path: { output: "output", model_true: "model_true", model_init: "model_init", sources: "sources.dat",
                stations: "stations.dat" } }),
      sources: [[3000, 360, 0.8, 1.5], [6000, 360, 0.8, 1.5], [9000, 360, 0.8, 1.5]],
      stations: line(58, 300, 11700, 360),
      // The models come from web/marmousi_small.js (scripts/make_web_marmousi.py).
      models: Object.fromEntries(["model_true", "model_init"].map((folder) => {
        const M = window.seiswgMarmousi;
        return [folder, { nx: M.nx, nz: M.nz, d: M.d, base: elastic(0, 0, 0), values: M[folder], steps: [] }];
      })),
    },
  ];

  // sources.dat lines: x z 0 f0 t0 angle amplitude (Seispie's columns).
  function sourcesText(sources) {
    return sources.map(([x, z, f0, t0, angle]) => `${x.toFixed(1)} ${z.toFixed(1)} 0 ${f0} ${t0} ${angle || 0.0} 1.0e10`).join("\n") + "\n";
  }
  function stationsText(stations) {
    return stations.map(([x, z]) => `${x.toFixed(1)} ${z.toFixed(1)}`).join("\n") + "\n";
  }
  window.seiswgPresets = { presets, sourcesText, stationsText };
})();
