#!/usr/bin/env python3
"""Writes an SH adjoint case like Seispie's examples (201 x 201 by default, 12 sources, 1 km spacing):
model_true has a Gaussian slow anomaly, model_init is homogeneous. Standard library only.

usage: make_adjoint_case.py DIR [--n 201] [--nt 4800] [--sources 12] [--receivers 60] [--psv]
                            [--inversion NITER]
--psv: a P-SV case (vp = 1.8 vs, rho 2600) instead of SH; --inversion NITER: an L-BFGS inversion of vs
with NITER iterations instead of an adjoint run.
"""
import argparse
import math
import os
import struct


def write(path, values):
    with open(path, "wb") as f:
        f.write(struct.pack("<i", len(values)))
        f.write(struct.pack("<%df" % len(values), *values))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--n", type=int, default=201)
    p.add_argument("--nt", type=int, default=4800)
    p.add_argument("--sources", type=int, default=12)
    p.add_argument("--receivers", type=int, default=60)
    p.add_argument("--psv", action="store_true")
    p.add_argument("--inversion", type=int, default=0, metavar="NITER")
    a = p.parse_args()
    n, h = a.n, 1000.0
    coords_x = [i * h for i in range(n) for j in range(n)]
    coords_z = [j * h for i in range(n) for j in range(n)]
    for folder, bump in (("model_true", -0.1), ("model_init", 0.0)):
        d = os.path.join(a.dir, folder)
        os.makedirs(d, exist_ok=True)
        vs = []
        for i in range(n):
            for j in range(n):
                x, z = (i - 0.5 * n) / (0.08 * n), (j - 0.5 * n) / (0.08 * n)
                vs.append(3500.0 * (1 + bump * math.exp(-x * x - z * z)))
        write(os.path.join(d, "proc000000_x.bin"), coords_x)
        write(os.path.join(d, "proc000000_z.bin"), coords_z)
        write(os.path.join(d, "proc000000_vs.bin"), vs)
        write(os.path.join(d, "proc000000_vp.bin"), [v * 1.8 for v in vs])
        write(os.path.join(d, "proc000000_rho.bin"), [2600.0] * (n * n))
    lx = (n - 1) * h
    with open(os.path.join(a.dir, "sources.dat"), "w") as f:
        for s in range(a.sources):
            f.write("%.1f %.1f 0 0.02 60.0 0.0 1.0e10\n" % ((s + 1) * lx / (a.sources + 1), 0.2 * lx))
    with open(os.path.join(a.dir, "stations.dat"), "w") as f:
        for r in range(a.receivers):
            f.write("%.1f %.1f\n" % ((r + 0.5) * lx / a.receivers, 0.8 * lx))
    with open(os.path.join(a.dir, "config.ini"), "w") as f:
        f.write("""[workflow]
mode = %s

[solver]
sh = %s
psv = %s
nt = %d
dt = 0.06
abs_top = no
abs_bottom = yes
abs_left = yes
abs_right = yes
abs_width = 20
abs_alpha = 0.015
combine_sources = no
save_images = no

[path]
output = output
model_true = model_true
model_init = model_init
sources = sources.dat
stations = stations.dat
""" % ("inversion" if a.inversion else "adjoint", "no" if a.psv else "yes", "yes" if a.psv else "no", a.nt))
        if a.inversion:
            f.write("""
[optimize]
method = lbfgs
niter = %d

[inversion]
parameters = vs
""" % a.inversion)


if __name__ == "__main__":
    main()
