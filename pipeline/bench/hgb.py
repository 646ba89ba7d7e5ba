"""scikit-learn's HistGradientBoostingRegressor beside the GBDT (bench:pipeline).

  hgb.py matrix X.f32 y.f64 rows features '<GbdtParams JSON>'
      fits on the float32 feature matrix the Node side wrote (column-major);
  hgb.py csv housing.csv '<GbdtParams JSON>'
      reads the CSV with pandas, engineers the same features (median fill,
      the three ratios, one-hot) and fits: the peak RSS from reading the CSV
      to the fitted model.
The GBDT's parameters map onto HistGradientBoostingRegressor's: max_bins,
max_leaves -> max_leaf_nodes, max_depth (0: None), min_samples_leaf,
l2 -> l2_regularization, learning_rate, max_rounds -> max_iter, and no early
stopping. Prints one JSON line like fit-child.ts: fit seconds (binning
included), CPU seconds, peak RSS in bytes and the number of trees.
Run with OMP_NUM_THREADS=1 for the single-threaded comparison.
"""
import json
import resource
import sys
import time

import numpy as np


def model(params_json):
    from sklearn.ensemble import HistGradientBoostingRegressor

    p = json.loads(params_json)
    return HistGradientBoostingRegressor(
        max_bins=p["max_bins"],
        max_leaf_nodes=p["max_leaves"],
        max_depth=None if p["max_depth"] <= 0 else p["max_depth"],
        min_samples_leaf=p["min_samples_leaf"],
        l2_regularization=p["l2"],
        learning_rate=p["learning_rate"],
        max_iter=p["max_rounds"],
        early_stopping=False,
    )


def fitted(m, x, y, since):
    cpu = time.process_time()
    m.fit(x, y)
    return {
        "seconds": time.perf_counter() - since,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss": peak_rss_bytes(),
        "trees": m.n_iter_,
    }


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def from_matrix(x_path, y_path, rows, features, params):
    rows, features = int(rows), int(features)
    x = np.fromfile(x_path, dtype=np.float32).reshape(features, rows).T
    y = np.fromfile(y_path, dtype=np.float64)
    m = model(params)
    return fitted(m, x, y, time.perf_counter())


def from_csv(path, params):
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
    return fitted(model(params), x, y, started)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    result = from_matrix(*args) if mode == "matrix" else from_csv(*args)
    print(json.dumps(result))
