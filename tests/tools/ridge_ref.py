#!/usr/bin/env python3
"""ridge_ref.py - the traders' ridge fit (docs/traders.md, "Model") done again
with numpy's least squares, the oracle of tests/unit/test_trader_model_numpy.c.

  ridge_ref.py DESIGN

DESIGN, written by the test from riskdesk's own features (the design matrix
is the same, the arithmetic is not):
  lambda K
  train TARGET RULES_CUT X1 ... XK      one line per training sample
  test  TARGET RULES_CUT X1 ... XK      one line per test sample

Standardises X with the training samples' means and sample standard
deviations (ddof 1; a deviation of 1e-12 or less counts as 1), then solves the
penalised problem as an ordinary least-squares one with numpy.linalg.lstsq
(SVD), the penalty as K extra rows:
  [ Z          ]  b  ~  [ y - mean(y) ]
  [ sqrt(l) I  ]        [ 0           ]
which minimises |Z b - (y - mean y)|^2 + l |b|^2: no normal equations, no
Cholesky. Prints, one per line: intercept, the K coefficients, the K means,
the K deviations, the model's and the rules' test mean squared errors (the
rules forecast tomorrow's cut by today's), all with 17 significant digits.
"""
import sys

import numpy as np


def main(path):
    with open(path) as f:
        lam, k = f.readline().split()
        lam, k = float(lam), int(k)
        rows = [line.split() for line in f if line.strip()]
    train = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == "train"])
    test = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == "test"])
    y, x = train[:, 0], train[:, 2:]
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1)
    sd[~(sd > 1e-12)] = 1.0
    z = (x - mean) / sd
    a = np.vstack([z, np.sqrt(lam) * np.eye(k)])
    b = np.concatenate([y - y.mean(), np.zeros(k)])
    coef = np.linalg.lstsq(a, b, rcond=None)[0]
    intercept = y.mean()
    pred = intercept + ((test[:, 2:] - mean) / sd) @ coef
    model_mse = np.mean((pred - test[:, 0]) ** 2)
    rules_mse = np.mean((test[:, 1] - test[:, 0]) ** 2)
    for v in [intercept, *coef, *mean, *sd, model_mse, rules_mse]:
        print("%.17g" % v)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
