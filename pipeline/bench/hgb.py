"""scikit-learn's HistGradientBoostingRegressor beside the GBDT (bench:pipeline).

  hgb.py matrix X.f32 y.f64 rows features max_bins max_leaf_nodes max_depth min_samples_leaf l2 learning_rate rounds
      fits on a float32 feature matrix the Node side wrote (column-major), and
      prints one JSON line: fit seconds (binning included) and peak RSS.
  hgb.py csv housing.csv <the same hyperparameters>
      reads the CSV with pandas, engineers the same features and fits: the
      peak RSS from reading the CSV to the fitted model.
Run with OMP_NUM_THREADS=1 for the single-threaded comparison.
"""
import json
import resource
import sys
import time

import numpy as np


def model(params):
    from sklearn.ensemble import HistGradientBoostingRegressor

    max_bins, leaves, depth, min_leaf, l2, lr, rounds = params
    return HistGradientBoostingRegressor(
        max_bins=int(max_bins),
        max_leaf_nodes=int(leaves),
        max_depth=None if int(depth) <= 0 else int(depth),
        min_samples_leaf=int(min_leaf),
        l2_regularization=float(l2),
        learning_rate=float(lr),
        max_iter=int(rounds),
        early_stopping=False,
    )


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def from_matrix(x_path, y_path, rows, features, *params):
    rows, features = int(rows), int(features)
    x = np.fromfile(x_path, dtype=np.float32).reshape(features, rows).T
    y = np.fromfile(y_path, dtype=np.float64)
    m = model(params)
    started = time.perf_counter()
    m.fit(x, y)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss": peak_rss_bytes(), "trees": m.n_iter_}


def from_csv(path, *params):
    import pandas as pd

    started = time.perf_counter()
    df = pd.read_csv(path)
    y = df.pop("median_house_value").to_numpy(dtype=np.float64)
    cat = df.pop("ocean_proximity")
    num = df.astype(np.float32)
    num = num.fillna(num.median())
    num["rooms_per_household"] = num["total_rooms"] / num["households"]
    num["bedrooms_per_room"] = num["total_bedrooms"] / num["total_rooms"]
    num["population_per_household"] = num["population"] / num["households"]
    onehot = pd.get_dummies(cat, dtype=np.float32)
    x = np.concatenate([num.to_numpy(dtype=np.float32), onehot.to_numpy()], axis=1)
    del df, num, onehot, cat
    m = model(params)
    m.fit(x, y)
    return {"seconds": time.perf_counter() - started, "peak_rss": peak_rss_bytes(), "trees": m.n_iter_}


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    result = from_matrix(*args) if mode == "matrix" else from_csv(*args)
    print(json.dumps(result))
