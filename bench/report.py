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
                    row = json.loads(line)
                    row.setdefault("variant", "default")
                    row.setdefault("block", "64x4")
                    rows.append(row)
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


def limit_label(n, bytes_per_step, step_us, fixed_us, roof_gbs):
    """What limits a kernel row: the fixed cost of a step (its 3 dispatches and barriers, taken as the
    step time of the smallest grid), or memory traffic (near the roof or above the minimum)."""
    if not step_us or not roof_gbs:
        return "–"
    share = n * n * bytes_per_step / roof_gbs / 1e3 / step_us
    if fixed_us and fixed_us / step_us >= 0.4:
        return "fixed cost per step (~%.0f of %.0f µs)" % (fixed_us, step_us)
    if share >= 0.6:
        return "memory bandwidth (%.0f%% of roof)" % (100 * share)
    return "memory traffic + fixed cost (%.0f%% of roof)" % (100 * share)


# Bytes per point and step of each kernel (velocity, stress), as counted in the notes below the roof.
KERNEL_BYTES = {"SH": (20, 24), "P-SV": (36, 44)}


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
    out.append("- date: %s; command: `%s`; commit %s, WGSL sha256 %s" % (a.date or card.get("date", "?"), a.command,
                                                                     card.get("commit", "?"), card.get("wgsl_sha256", "?")))
    out.append("- card: %s, %s, driver %s" % (card.get("name", "?"), card.get("memory", "?"), card.get("driver", "?")))
    out.append("- WebGPU: %s, Dawn (bun-webgpu 0.1.7), timestamps %s, max binding %s GiB, device open %s s"
               % (dev.get("adapter", "?"), dev.get("timestamps", "?"),
                  num((dev.get("max_binding_bytes") or 0) / 2**30), num(dev.get("open_s"))))
    if cuda_dev:
        out.append("- CUDA: runtime %s, %s SMs, context creation %s s"
                   % (cuda_dev.get("runtime"), cuda_dev.get("sms"), num(cuda_dev.get("context_s"))))
    out.append("")

    copies = [("WebGPU copyBufferToBuffer", first(rows, what="copy", impl="webgpu", variant="default")),
              ("WebGPU copy kernel (vec4, WGSL)", first(rows, what="copy", impl="webgpu-kernel", variant="default")),
              ("cudaMemcpy D2D", first(rows, what="copy", impl="cudaMemcpy"))]
    copies = [(label, c) for label, c in copies if c]
    roof_label, roof_row = max(copies, key=lambda lc: lc[1]["gbs"]) if copies else ("", None)
    roof = roof_row["gbs"] if roof_row else None
    out.append("### Memory roof (device-to-device copies, 10 back and forth, bytes read + written)")
    out.append("")
    out.append("| copy | buffer | GB/s (median of 3) | best |")
    out.append("| --- | --- | --- | --- |")
    for label, c in copies:
        out.append("| %s | %s MiB | %s | %s |" % (label, c["buffer_bytes"] >> 20, num(c["gbs"]), num(c["gbs_best"])))
    out.append("")
    out.append("Bytes each scheme must move per grid point and step (float32; each field and material plane read "
               "once, each updated field written once): SH 44 B (velocity kernel: read σxy, σzy, vy, dt/ρ, write vy; "
               "stress kernel: read vy, σxy, σzy, dt·μ, write σxy, σzy), P-SV 80 B (velocity: read σxx, σzz, σxz, vx, "
               "vz, dt/ρ at vx and vz, write vx, vz; stress: read vx, vz, σxx, σzz, σxz, dt(λ+2μ), dt·λ, dt·μ at σxz, "
               "write σxx, σzz, σxz). Roof = the fastest copy above (%s, %s GB/s) ÷ those bytes: SH %s Gpts/s, "
               "P-SV %s Gpts/s." % (roof_label, num(roof), num(roof / 44 if roof else None),
                                   num(roof / 80 if roof else None)))
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
               "non-zero wavefield, 3 dispatches a step (velocity, sources + receivers, stress). *Timestamps*: GPU time "
               "of each dispatch in its own compute pass (velocity / stress / source + receivers, µs). *End to end*: "
               "a whole Propagator run as `seiswg run` does it (material planes, upload, kernel compilation, status "
               "check every 100 steps, traces read back), steps in brackets.")
    out.append("")
    out.append("| scheme | grid | seiswg kernels Gpts/s | GB/s | % of roof | timestamps µs: velocity / stress / "
               "source+receivers | velocity / stress % of roof (timestamps) | CUDA Gpts/s | seiswg / CUDA "
               "| end to end Gpts/s [steps] (setup s) | limited by |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scheme in ("SH", "P-SV"):
        sizes = sorted({r["n"] for r in pick(rows, what="forward", scheme=scheme)})
        fixed = None
        for n in sizes:
            s = first(rows, what="forward", impl="seiswg", scheme=scheme, n=n, variant="default") or {}
            c = first(rows, what="forward", impl="cuda", scheme=scheme, n=n, block="64x4") or {}
            b = 44 if scheme == "SH" else 80
            roof_pts = roof / b if roof else None
            if s.get("status") == "ok":
                g = s["kernel_gpts"]
                if fixed is None:
                    fixed = s.get("step_us")
                tv, tsr = s.get("ts_velocity_us"), s.get("ts_stress_us")
                ts = "%s / %s / %s" % (num(tv), num(tsr), num((s.get("ts_inject_us") or 0) + (s.get("ts_record_us") or 0) + (s.get("ts_receivers_us") or 0)))
                eff = "–"
                if tv and tsr and roof:
                    bv, bs = KERNEL_BYTES[scheme]
                    eff = "%.0f%% / %.0f%%" % (100 * n * n * bv / tv / 1e3 / roof, 100 * n * n * bs / tsr / 1e3 / roof)
                cells = [num(g), num(g * b), num(100 * g / roof_pts, 2) if roof_pts else "–", ts, eff]
                e2e = "%s [%d] (%s)" % (num(s["e2e_gpts"]), s["e2e_steps"], num(s["setup_s"], 2))
                limit = limit_label(n, b, s.get("step_us"), fixed, roof)
            else:
                reason = s.get("error", "not run")
                cells = ["does not fit" if "allows at most" in reason or "memory" in reason else "failed", "", "", "", ""]
                e2e = ""
                limit = reason[:160]
            cg = c.get("kernel_gpts") if c.get("status") == "ok" else None
            ratio = num(s["kernel_gpts"] / cg, 2) if cg and s.get("status") == "ok" else "–"
            row = [scheme, "%d²" % n] + cells + [num(cg) if cg else c.get("status", "–"), ratio, e2e, limit]
            out.append("| " + " | ".join(row) + " |")
    out.append("")

    variants = [r for r in pick(rows, what="forward") if r.get("status") == "ok" and
                (r.get("variant", "default") != "default" or r["impl"] == "cuda-restrict")]
    if variants:
        out.append("### Variants (kernels Gpts/s, same card, same run)")
        out.append("")
        out.append("| scheme | grid | seiswg | seiswg, Dawn robustness off | CUDA | CUDA, `__restrict__` pointers |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for scheme in ("SH", "P-SV"):
            for n in sorted({r["n"] for r in variants if r["scheme"] == scheme}):
                def g(**m):
                    r = first(rows, what="forward", scheme=scheme, n=n, **m)
                    return num(r["kernel_gpts"]) if r and r.get("status") == "ok" else "–"
                out.append("| %s | %d² | %s | %s | %s | %s |" % (
                    scheme, n, g(impl="seiswg", variant="default"), g(impl="seiswg", variant="no-robustness"),
                    g(impl="cuda", block="64x4"), g(impl="cuda-restrict")))
        out.append("")

    shapes = [r for r in pick(rows, what="forward", impl="cuda") if r.get("n") == 4096 and r.get("status") == "ok"]
    if len({r.get("block") for r in shapes}) > 1:
        out.append("### CUDA port: block shape at 4096² (kernels Gpts/s; seiswg's workgroups are 64 × 4)")
        out.append("")
        out.append("| block | SH | P-SV |")
        out.append("| --- | --- | --- |")
        for b in dict.fromkeys(r["block"] for r in shapes):
            sh = first(shapes, block=b, scheme="SH")
            ps = first(shapes, block=b, scheme="P-SV")
            out.append("| %s | %s | %s |" % (b, num(sh["kernel_gpts"]) if sh else "–", num(ps["kernel_gpts"]) if ps else "–"))
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
            if r.get("record_step_us"):
                note += "; recording commands %s µs/step" % num(r["record_step_us"])
            if r.get("ts_step_us"):
                note += "; GPU busy (timestamps) %s µs/step" % num(r["ts_step_us"])
            out.append("| %s, %s | %s | %s | %s |" % (r["impl"], r["mode"], num(r["wall_s"]), num(r["step_us"]), note))
        out.append("")
    adjoint = [r for r in pick(rows, what="adjoint") if r.get("status") == "ok"]
    if adjoint:
        out.append("### Adjoint (all forward states on the GPU)")
        out.append("")
        out.append("Per time step: the plain forward loop, the forward run that also stores every state, and the "
                   "reverse (adjoint) loop that reads them back and accumulates the kernels.")
        out.append("")
        out.append("| scheme | grid | steps | forward µs | forward + store µs | adjoint µs | adjoint / forward | "
                   "whole gradient / forward |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in adjoint:
            out.append("| %s | %d² | %d | %s | %s | %s | %s | %s |" % (
                r["scheme"], r["n"], r["nt"], num(r["forward_step_us"]), num(r["forward_store_step_us"]),
                num(r["reverse_step_us"]), num(r["reverse_over_forward"], 2), num(r["gradient_over_forward"], 2)))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
