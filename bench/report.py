#!/usr/bin/env python3
"""Turns the JSON lines of bench/run.sh (seiswg-bench, bench/cuda/fd2d, the CLI runs) into a Markdown report.

usage: report.py RESULTS.jsonl [--command "bash bench/run.sh"] > report.md
Standard library only.
"""
import argparse
import json


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return rows


def pick(rows, **match):
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def first(rows, **match):
    found = pick(rows, **match)
    return found[0] if found else None


def num(value, digits=3):
    if value is None:
        return "–"
    if abs(value) >= 100:
        return "%.0f" % value
    return "%.*g" % (digits, value)


def limit_label(n, bytes_per_step, step_us, roof_gbs):
    """What limits a kernel row: bandwidth when near the copy roof, else the fixed cost per dispatch
    (small grids) or memory traffic above the minimum (large grids)."""
    if not step_us or not roof_gbs:
        return "–"
    floor_us = n * n * bytes_per_step / roof_gbs / 1e3
    share = floor_us / step_us
    if share >= 0.7:
        return "memory bandwidth (%.0f%% of copy)" % (100 * share)
    if n * n * bytes_per_step < 40e6:
        return "fixed cost per dispatch: %.1f µs/step vs %.1f µs of traffic" % (step_us, floor_us)
    return "memory traffic above the minimum (%.0f%% of copy)" % (100 * share)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--command", default="bash bench/run.sh")
    p.add_argument("--date", default="")
    a = p.parse_args()
    rows = load(a.results)
    out = []
    card = first(rows, what="card") or {}
    dev = first(rows, what="device", impl="seiswg") or {}
    cuda_dev = first(rows, what="device", impl="cuda") or {}
    out.append("## seiswg benchmark: %s" % (card.get("name") or dev.get("adapter", "unknown card")))
    out.append("")
    out.append("- date: %s; command: `%s`" % (a.date or card.get("date", "?"), a.command))
    out.append("- card: %s, %s, driver %s" % (card.get("name", "?"), card.get("memory", "?"), card.get("driver", "?")))
    out.append("- WebGPU: %s, Dawn (bun-webgpu 0.1.7), timestamps %s, max binding %s GiB, device open %s s"
               % (dev.get("adapter", "?"), dev.get("timestamps", "?"),
                  num((dev.get("max_binding_bytes") or 0) / 2**30), num(dev.get("open_s"))))
    if cuda_dev:
        out.append("- CUDA: runtime %s, %s SMs, context creation %s s"
                   % (cuda_dev.get("runtime"), cuda_dev.get("sms"), num(cuda_dev.get("context_s"))))
    out.append("")

    wgpu_copy = first(rows, what="copy", impl="webgpu")
    cuda_copy = first(rows, what="copy", impl="cudaMemcpy")
    roof = wgpu_copy["gbs"] if wgpu_copy else None
    out.append("### Memory roof (device-to-device copy of a 1 GiB buffer, bytes read + written)")
    out.append("")
    out.append("| copy | GB/s (median of 3) | best |")
    out.append("| --- | --- | --- |")
    if wgpu_copy:
        out.append("| WebGPU copyBufferToBuffer | %s | %s |" % (num(wgpu_copy["gbs"]), num(wgpu_copy["gbs_best"])))
    if cuda_copy:
        out.append("| cudaMemcpy D2D | %s | %s |" % (num(cuda_copy["gbs"]), num(cuda_copy["gbs_best"])))
    out.append("")
    out.append("Bytes each scheme must move per grid point and step (float32; each field and material plane read "
               "once, each updated field written once): SH 44 B (velocity kernel: read σxy, σzy, vy, dt/ρ, write vy; "
               "stress kernel: read vy, σxy, σzy, dt·μ, write σxy, σzy), P-SV 80 B (velocity: read σxx, σzz, σxz, vx, "
               "vz, dt/ρ at vx and vz, write vx, vz; stress: read vx, vz, σxx, σzz, σxz, dt(λ+2μ), dt·λ, dt·μ at σxz, "
               "write σxx, σzz, σxz). Roof = copy GB/s ÷ those bytes.")
    out.append("")

    checks = pick(rows, what="check")
    if checks:
        out.append("### CUDA port vs seiswg (256², 200 steps, relative L2 of the whole final state)")
        out.append("")
        out.append("| case | velocity | stress | ≤ 1e-5 |")
        out.append("| --- | --- | --- | --- |")
        for c in checks:
            out.append("| %s | %.2e | %.2e | %s |" % (c["case"], c["rel_l2_velocity"], c["rel_l2_stress"], c["pass"]))
        out.append("")

    out.append("### Forward kernels and end to end")
    out.append("")
    out.append("Gpts/s = grid points × time steps / s. *Kernels*: marginal time per step (t(2N) − t(N)) / N on a "
               "non-zero wavefield, 4 dispatches a step (velocity, source, stress, receivers). *Timestamps*: GPU time "
               "of each dispatch in its own compute pass (velocity / stress / source + receivers, µs). *End to end*: "
               "a whole Propagator run as `seiswg run` does it (material planes, upload, kernel compilation, status "
               "check every 100 steps, traces read back), steps in brackets.")
    out.append("")
    out.append("| scheme | grid | seiswg kernels Gpts/s | GB/s | % of roof | roof Gpts/s | timestamps µs (vel / str / src+rec) "
               "| CUDA Gpts/s | seiswg / CUDA | end to end Gpts/s [steps] (setup s) | limited by |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scheme in ("SH", "P-SV"):
        sizes = sorted({r["n"] for r in pick(rows, what="forward", scheme=scheme)})
        for n in sizes:
            s = first(rows, what="forward", impl="seiswg", scheme=scheme, n=n) or {}
            c = first(rows, what="forward", impl="cuda", scheme=scheme, n=n) or {}
            b = 44 if scheme == "SH" else 80
            roof_pts = roof / b if roof else None
            if s.get("status") == "ok":
                g = s["kernel_gpts"]
                ts = "%s / %s / %s" % (num(s.get("ts_velocity_us")), num(s.get("ts_stress_us")),
                                      num((s.get("ts_inject_us") or 0) + (s.get("ts_record_us") or 0)))
                cells = [num(g), num(g * b), num(100 * g / roof_pts, 2) if roof_pts else "–", num(roof_pts), ts]
                e2e = "%s [%d] (%s)" % (num(s["e2e_gpts"]), s["e2e_steps"], num(s["setup_s"], 2))
                limit = limit_label(n, b, s.get("step_us"), roof)
            else:
                reason = s.get("error", "not run")
                cells = ["does not fit" if "allows at most" in reason or "memory" in reason else "failed",
                         "", "", num(roof_pts), ""]
                e2e = ""
                limit = reason[:160]
            cg = c.get("kernel_gpts") if c.get("status") == "ok" else None
            ratio = num(s["kernel_gpts"] / cg, 2) if cg and s.get("status") == "ok" else "–"
            row = [scheme, "%d²" % n] + cells + [num(cg) if cg else c.get("status", "–"), ratio, e2e, limit]
            out.append("| " + " | ".join(row) + " |")
    out.append("")

    small = pick(rows, what="small")
    cli = pick(rows, what="cli")
    if small or cli:
        out.append("### Small grids: Seispie's forward example (201², SH, 4800 steps, 12 sources one run each)")
        out.append("")
        out.append("| what | wall s | µs per step | notes |")
        out.append("| --- | --- | --- | --- |")
        for r in cli:
            out.append("| `seiswg run` %s (whole process) | %s | %s | %s |"
                       % (r["case"], num(r["wall_s"]), num(r.get("step_us")), r.get("summary", "")))
        for r in small:
            note = ""
            if r.get("setup_s") is not None:
                note = "setup %s s, time loops %s s" % (num(r["setup_s"], 2), num(r["loop_s"]))
            if r.get("ts_step_us"):
                note += "; GPU busy (timestamps) %s µs/step" % num(r["ts_step_us"])
            out.append("| %s, %s | %s | %s | %s |" % (r["impl"], r["mode"], num(r["wall_s"]), num(r["step_us"]), note))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
