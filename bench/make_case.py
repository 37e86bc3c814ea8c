#!/usr/bin/env python3
"""Writes a homogeneous Seispie case folder for timing runs (model/, sources.dat, stations.dat, config.ini).

usage: make_case.py DIR --nx N --nz N [--nt 500] [--sh yes] [--psv no] [--sources 1] [--combine yes]
                    [--snapshot 0] [--h 10] [--dt auto]
Uses numpy when present, else the standard library.
"""
import argparse
import math
import os
import struct


def write_field(path, values_fn, nx, nz):
    try:
        import numpy as np
        i, j = np.meshgrid(np.arange(nx), np.arange(nz), indexing="ij")
        a = values_fn(i, j).astype("<f4").ravel()
        with open(path, "wb") as f:
            np.array([a.size], dtype="<i4").tofile(f)
            a.tofile(f)
    except ImportError:
        vals = [float(values_fn(i, j)) for i in range(nx) for j in range(nz)]
        with open(path, "wb") as f:
            f.write(struct.pack("<i", len(vals)))
            f.write(struct.pack("<%df" % len(vals), *vals))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--nx", type=int, required=True)
    p.add_argument("--nz", type=int, required=True)
    p.add_argument("--nt", type=int, default=500)
    p.add_argument("--h", type=float, default=10.0)
    p.add_argument("--dt", type=float, default=0.0)
    p.add_argument("--sh", default="yes")
    p.add_argument("--psv", default="no")
    p.add_argument("--sources", type=int, default=1)
    p.add_argument("--combine", default="yes")
    p.add_argument("--snapshot", type=int, default=0)
    p.add_argument("--receivers", type=int, default=100)
    a = p.parse_args()
    vp, vs, rho, h = 3000.0, 1700.0, 2000.0, a.h
    dt = a.dt or 0.8 * (6.0 / 7.0) * h / (vp * math.sqrt(2.0))
    os.makedirs(os.path.join(a.dir, "model"), exist_ok=True)
    m = os.path.join(a.dir, "model")
    write_field(os.path.join(m, "proc000000_x.bin"), lambda i, j: i * h + 0 * j, a.nx, a.nz)
    write_field(os.path.join(m, "proc000000_z.bin"), lambda i, j: j * h + 0 * i, a.nx, a.nz)
    for name, v in (("vp", vp), ("vs", vs), ("rho", rho)):
        write_field(os.path.join(m, "proc000000_%s.bin" % name), lambda i, j, v=v: v + 0 * (i + j), a.nx, a.nz)
    lx, lz = (a.nx - 1) * h, (a.nz - 1) * h
    f0 = vs / (10 * h) / 2.5
    with open(os.path.join(a.dir, "sources.dat"), "w") as f:
        for s in range(a.sources):
            f.write("%.1f %.1f 0 %.4f %.4f 30.0 1.0e10\n" % ((s + 1) * lx / (a.sources + 1), 0.1 * lz, f0, 1.2 / f0))
    with open(os.path.join(a.dir, "stations.dat"), "w") as f:
        for r in range(a.receivers):
            f.write("%.1f %.1f\n" % ((r + 0.5) * lx / a.receivers, 0.05 * lz))
    with open(os.path.join(a.dir, "config.ini"), "w") as f:
        f.write("""[workflow]
mode = forward

[solver]
sh = %s
psv = %s
nt = %d
dt = %.8g
abs_top = no
abs_bottom = yes
abs_left = yes
abs_right = yes
abs_width = 20
abs_alpha = 0.015
save_snapshot = %d
combine_sources = %s
save_images = no

[path]
output = output
model_true = model
sources = sources.dat
stations = stations.dat
""" % (a.sh, a.psv, a.nt, dt, a.snapshot, a.combine))


if __name__ == "__main__":
    main()
