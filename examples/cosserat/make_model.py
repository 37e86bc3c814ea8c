#!/usr/bin/env python3
"""Writes the Cosserat example's model (Seispie's spin layout) into model/: the homogeneous
micropolar medium of Seispie's examples/spin (rho 2700, lambda = mu = 8.1e9, nu 1.005e9, j 2700,
lambda_c 7.75e8, mu_c 1.5e8, nu_c 3e8) on a smaller grid, 201 x 201 nodes of 2 m, with a stiffer
inclusion so that the wavefield has something to show. Standard library only.
"""
import math
import os
import struct

N, H = 201, 2.0
BASE = {"rho": 2700.0, "lambda": 8.1e9, "mu": 8.1e9, "nu": 1.005e9, "j": 2700.0,
        "lambda_c": 7.75e8, "mu_c": 1.5e8, "nu_c": 3.0e8}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
    os.makedirs(out, exist_ok=True)
    fields = {name: [] for name in ["x", "z"] + list(BASE)}
    for i in range(N):
        for j in range(N):
            x, z = i * H, j * H
            inside = math.hypot(x - 260.0, z - 250.0) < 40.0
            fields["x"].append(x)
            fields["z"].append(z)
            for name, value in BASE.items():
                stiffer = inside and name in ("lambda", "mu")
                fields[name].append(value * (1.5 if stiffer else 1.0))
    for name, values in fields.items():
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", len(values)))
            f.write(struct.pack("<%df" % len(values), *values))


if __name__ == "__main__":
    main()
