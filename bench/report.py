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
KERNEL_BYTES = {"SH": (20, 24), "P-SV": (36, 44), "acoustic": (28, 20)}

# Peer numbers, not measured here: Deepwave 0.0.27 on an NVIDIA H200 (/work/shared/reference/PEERS.md,
# 2026-12-01), Gpts/s counted on the points it updates, marginal cost per step.
DEEPWAVE_GRADIENT = {("P-SV", 1024): 6.37, ("P-SV", 2048): 7.88, ("P-SV", 4096): 8.38}
DEEPWAVE_SHOTS_FORWARD = {1: 3.24, 16: 29.8}  # P-SV 201², forward
DEEPWAVE_16_OVER_1 = 16 * 3.24 / 29.8  # time of 16 shots / time of 1 shot (~1.7)
# Targets (issue): gradient Gpts/s per scheme, 16-shot forward Gpts/s, 16 shots / 1 shot time,
# Seispie's adjoint example wall s.
GRADIENT_TARGET = {"P-SV": 12.0, "SH": 20.0}
GRADIENT_SIZES = (1024, 2048, 4096)  # the sizes the gradient targets are for (--quick runs others)
SHOTS_CASE = (201, 16)  # grid and shots the shot targets are for
SHOTS_FORWARD_TARGET = 30.0
SHOTS_RATIO_TARGET = 3.0
SEISPIE_ADJOINT_TARGET_S = 1.5


def yes_no(ok):
    return "–" if ok is None else ("yes" if ok else "no")


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
    for scheme in ("SH", "P-SV", "acoustic"):
        sizes = sorted({r["n"] for r in pick(rows, what="forward", scheme=scheme)})
        fixed = None
        for n in sizes:
            s = first(rows, what="forward", impl="seiswg", scheme=scheme, n=n, variant="default") or {}
            c = first(rows, what="forward", impl="cuda", scheme=scheme, n=n, block="64x4") or {}
            b = sum(KERNEL_BYTES[scheme])
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
    out += problem_sections(rows)
    print("\n".join(out))


def problem_sections(rows):
    """The problem::Problem rows (gradient, shots), Seispie's adjoint example, the targets they are held
    to, and the run time of each section of bench/run.sh."""
    out = []
    targets = []  # (target, measured, met)
    gradient = pick(rows, what="gradient")
    if gradient:
        out.append("### Gradient through `problem::Problem::misfit_and_gradient` (one shot, every state on the GPU)")
        out.append("")
        out.append("One Ricker source in the middle of the grid, 100 stations along a line (each component), observed "
                   "traces = zeros, storage mode gpu with the card's memory as budget (several buffers of one binding "
                   "each). Gpts/s = grid points × nt ÷ (t(2 nt) − t(nt)): two Problems of nt and 2 nt steps, whole "
                   "calls (model upload, forward run storing every state, misfit, adjoint run, traces and gradient "
                   "read back, model gradient on the host), best of 3 after a warm-up each; the difference removes "
                   "the fixed costs. nt: runs of ~0.3 s with the 2 nt states within 60% of the card. *Forward*: "
                   "`Problem::forward` of the same Problems, the same way. Deepwave: /work/shared/reference/PEERS.md "
                   "(same card model, not run here). *Kernels only*: grid points × steps ÷ the summed GPU time "
                   "(timestamps at the start and end of each compute pass, a pass being a batch of steps) of one warm `misfit_and_gradient` call (forward storing every "
                   "state + adjoint), of a Problem of the *kernels nt* steps: the issue's measure, free of the "
                   "fixed costs; the target is judged on it where the adapter has timestamps.")
        out.append("")
        out.append("| scheme | grid | kernels-only gradient Gpts/s (kernels nt) | kernels-only µs/step: gradient / forward | nt (and 2 nt) | gradient Gpts/s | target | met? | Deepwave gradient Gpts/s | "
                   "seiswg / Deepwave | forward Gpts/s (same Problem) | gradient / forward time | gradient µs/step | "
                   "gradient s at nt / 2 nt | states GB (2 nt) | storage plan (2 nt Problem) |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in gradient:
            scheme, n = r["scheme"], r["n"]
            peer = DEEPWAVE_GRADIENT.get((scheme, n))
            target = GRADIENT_TARGET.get(scheme) if n in GRADIENT_SIZES else None
            if r.get("status") != "ok":
                out.append("| %s | %d² | | | failed | | %s | %s | %s | | | | | | | %s |"
                           % (scheme, n, "≥ " + num(target) if target else "–", yes_no(False if target else None),
                              num(peer), r.get("error", "")[:200]))
                if target:
                    targets.append(("%s gradient %d² ≥ %s Gpts/s" % (scheme, n, num(target)), "failed", False))
                continue
            g = r["gradient_gpts"]
            kg = r.get("gradient_gpu_gpts")
            kernels = "%s (%d)" % (num(kg), r.get("gpu_nt", r["nt"])) if kg else "–"
            kernel_us = "%s / %s" % (num(r["gradient_gpu_step_us"]), num(r.get("forward_gpu_step_us"))) if kg else "–"
            judged = kg if kg else g
            marginal = r.get("marginal") == "yes"
            nts = "%d (%d)" % (r["nt"], 2 * r["nt"]) if marginal else "%d (single run: %s)" % (
                r["nt"], r.get("marginal_error", "2 nt does not fit")[:80])
            times = "%s / %s" % (num(r["gradient_s_nt"]), num(r.get("gradient_s_2nt")))
            met = judged >= target if target else None
            out.append("| %s | %d² | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                scheme, n, kernels, kernel_us, nts, num(g), "≥ " + num(target) if target else "– (not a target size)", yes_no(met), num(peer), num(g / peer, 2) if peer else "–",
                num(r["forward_gpts"]), num(r["gradient_over_forward"], 2), num(r["gradient_step_us"]), times,
                num(r["states_gb"]), r.get("plan", "")))
            if target:
                targets.append(("%s gradient %d² ≥ %s Gpts/s%s" % (scheme, n, num(target),
                                                                 " (Deepwave %s)" % num(peer) if peer else ""),
                                "%s Gpts/s%s" % (num(judged), " (kernels only)" if kg else ""), met))
        out.append("")

    shots = pick(rows, what="shots")
    if shots:
        n = shots[0]["n"]
        out.append("### Shots in one Problem (P-SV %d², all shots in one batch)" % n)
        out.append("")
        out.append("Sources along a line near the top, 100 stations each, the same nt for every row. Gpts/s = %d² × "
                   "shots × nt ÷ (t(2 nt) − t(nt)), as for the gradient above (the forward calls include reading "
                   "every shot's traces back, which grows with nt). *Time vs 1 shot*: marginal time of the row ÷ "
                   "that of one shot. Deepwave (PEERS.md, 201²): forward 3.24 Gpts/s with 1 shot, 29.8 with 16 "
                   "(%.1f× the time of one)." % (n, DEEPWAVE_16_OVER_1))
        out.append("")
        out.append("*Kernels only*: the summed GPU time of every compute pass of one warm call, as for the "
                   "gradient above.")
        out.append("")
        out.append("| shots | nt (and 2 nt) | forward Gpts/s | Deepwave forward Gpts/s | gradient Gpts/s | forward µs/step "
                   "| gradient µs/step | time vs 1 shot: forward / gradient | kernels only: forward / gradient Gpts/s | "
                   "kernels only µs/step: forward / gradient | states GB (2 nt) | plan (2 nt Problem) |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in shots:
            peer = DEEPWAVE_SHOTS_FORWARD.get(r["shots"]) if n == 201 else None
            if r.get("status") != "ok":
                out.append("| %d | failed | | %s | | | | | | | | %s |" % (r["shots"], num(peer), r.get("error", "")[:200]))
                continue
            ratio = "–"
            if r.get("forward_time_over_one_shot") is not None:
                ratio = "%s / %s" % (num(r["forward_time_over_one_shot"], 2), num(r["gradient_time_over_one_shot"], 2))
            nts = "%d (%d)" % (r["nt"], 2 * r["nt"]) if r.get("marginal") == "yes" else "%d (single run)" % r["nt"]
            kf, kg = r.get("forward_gpu_gpts"), r.get("gradient_gpu_gpts")
            kernels = "%s / %s" % (num(kf), num(kg)) if kg else "–"
            kernel_us = "%s / %s" % (num(r.get("forward_gpu_step_us")), num(r.get("gradient_gpu_step_us"))) if kg else "–"
            out.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["shots"], nts, num(r["forward_gpts"]), num(peer), num(r["gradient_gpts"]), num(r["forward_step_us"]),
                num(r["gradient_step_us"]), ratio, kernels, kernel_us, num(r["states_gb"]), r.get("plan", "")))
        out.append("")
        many = [r for r in shots if (r["n"], r["shots"]) == SHOTS_CASE]
        if not many:
            out.append("(The shot targets are for %d shots at %d²: none in this run.)" % (SHOTS_CASE[1], SHOTS_CASE[0]))
            out.append("")
        for r in many:
            label = "%d shots at %d²" % (r["shots"], r["n"])
            if r.get("status") != "ok":
                targets.append(("%s forward ≥ %s Gpts/s (Deepwave 29.8)" % (label, num(SHOTS_FORWARD_TARGET)), "failed", False))
                continue
            targets.append(("%s forward ≥ %s Gpts/s (Deepwave 29.8 with 16 at 201²)" % (label, num(SHOTS_FORWARD_TARGET)),
                            "%s Gpts/s" % num(r["forward_gpts"]), r["forward_gpts"] >= SHOTS_FORWARD_TARGET))
            kf = r.get("forward_gpu_gpts")
            if kf:
                targets.append(("%s forward ≥ %s Gpts/s, kernels only" % (label, num(SHOTS_FORWARD_TARGET)),
                                "%s Gpts/s" % num(kf), kf >= SHOTS_FORWARD_TARGET))
            one = [o for o in shots if o["n"] == r["n"] and o["shots"] == 1 and o.get("gradient_gpu_step_us")]
            if one and r.get("gradient_gpu_step_us"):
                fk = r["forward_gpu_step_us"] / one[0]["forward_gpu_step_us"]
                gk = r["gradient_gpu_step_us"] / one[0]["gradient_gpu_step_us"]
                targets.append(("%s cost < %s× one shot, kernels only" % (label, num(SHOTS_RATIO_TARGET)),
                                "forward %s×, gradient %s×" % (num(fk, 2), num(gk, 2)),
                                fk < SHOTS_RATIO_TARGET and gk < SHOTS_RATIO_TARGET))
            f, g = r.get("forward_time_over_one_shot"), r.get("gradient_time_over_one_shot")
            if f is not None:
                targets.append(("%s cost < %s× one shot (Deepwave %.1f× forward)" % (label, num(SHOTS_RATIO_TARGET),
                                                                                 DEEPWAVE_16_OVER_1),
                                "forward %s×, gradient %s×" % (num(f, 2), num(g, 2)),
                                f < SHOTS_RATIO_TARGET and g < SHOTS_RATIO_TARGET))

    adj = pick(rows, what="seispie_adjoint")
    if adj:
        out.append("### Seispie's adjoint example: whole `seiswg run` processes")
        out.append("")
        out.append("bench/make_adjoint_case.py: SH, 1 km spacing, each source its own shot (combine_sources = no; "
                   "the full run: 201², 4800 steps, 12 sources, 60 stations; --quick: 64², 50 steps, 4 sources, 20 "
                   "stations), observed data from model_true (a slow Gaussian anomaly), misfit and kernels of the "
                   "homogeneous model_init; three processes one after the other, wall clock from start to exit "
                   "(device open, inputs, observed runs, gradient, kernels written). PEERS.md (same card model): "
                   "Seispie's examples/adjoint 53.3 s, seiswg at 855e3a7 3.15 s.")
        out.append("")
        out.append("| case | runs | wall s: best | median | all | target | met? | plan | seiswg's summary (last run) |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in adj:
            case = "%s² × %s steps × %s sources" % (r.get("n", "?"), r.get("nt", "?"), r.get("sources", "?"))
            if r.get("status") != "ok" or not r.get("walls_s"):
                out.append("| %s | failed | | | | < %s s | no | | %s |" % (case, num(SEISPIE_ADJOINT_TARGET_S), r.get("summary", "")))
                targets.append(("Seispie adjoint example < %s s (whole process)" % num(SEISPIE_ADJOINT_TARGET_S), "failed", False))
                continue
            best = r["wall_best_s"]
            full = r.get("n") == 201 and r.get("nt") == 4800 and r.get("sources") == 12
            met = best < SEISPIE_ADJOINT_TARGET_S if full else None
            out.append("| %s | %d | %s | %s | %s | < %s s | %s | %s | %s |" % (
                case, r["runs"], num(best), num(r["wall_median_s"]), ", ".join(num(w) for w in r["walls_s"]),
                num(SEISPIE_ADJOINT_TARGET_S), yes_no(met) if full else "– (not the full case)",
                r.get("plan", "").replace("seiswg: ", ""), r.get("summary", "").replace("seiswg: ", "")))
            if full:
                targets.append(("Seispie adjoint example (%s) < %s s, whole process" % (case, num(SEISPIE_ADJOINT_TARGET_S)),
                                "best %s s, median %s s" % (num(best), num(r["wall_median_s"])), met))
        out.append("")

    if targets:
        out.append("### Targets of the Problem rows (this run)")
        out.append("")
        out.append("| target | measured | met? |")
        out.append("| --- | --- | --- |")
        for t, m, ok in targets:
            out.append("| %s | %s | %s |" % (t, m, yes_no(ok)))
        out.append("")

    sections = pick(rows, what="section")
    if sections:
        out.append("### Run time of bench/run.sh by section")
        out.append("")
        out.append("| section | s |")
        out.append("| --- | --- |")
        for r in sections:
            out.append("| %s | %s |" % (r["name"], num(r["seconds"])))
        out.append("")
    return out


if __name__ == "__main__":
    main()
