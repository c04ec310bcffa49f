#!/usr/bin/python3
"""Generate sklearn.json: reference values for Profundo's metrics.

Run from this directory with Debian's scikit-learn (apt-get install
python3-sklearn):

    /usr/bin/python3 gen_sklearn.py > sklearn.json

The output is deterministic: every random case draws from its own
numpy.random.RandomState(seed), whose stream numpy keeps stable across
versions, and json writes floats as the shortest text that reads back to the
same float64. The Go tests (sklearn_test.go) read the file and compare every
metric to these values within 1e-9.

Conventions, mirrored by the Go metrics:

* Classification cases give y_true as class ids and y_pred either as one
  column (the probability of class 1, "pred_cols": 1) or as "pred_cols" = k
  columns of class probabilities, row-major.
* Predicted classes are y_pred > threshold (one column) or the arg max of the
  row (numpy.argmax: ties go to the first column).
* Every set-wise call passes labels=range(k), so a class that neither occurs
  nor is predicted still counts (scored 0, sklearn's zero_division="warn").
* ROC AUC and average precision for k columns are computed one-vs-rest on
  the one-hot indicator matrix (what roc_auc_score(multi_class="ovr") does
  after label_binarize), which also allows average="micro".
* A call that raises is recorded as {"error": message}.
"""

import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.simplefilter("ignore")  # zero-division and one-class warnings are expected


def call(f, *args, **kwargs):
    """f(*args, **kwargs) as plain JSON: a float, a list, or {"error": ...}."""
    try:
        v = f(*args, **kwargs)
    except ValueError as e:
        return {"error": str(e)}
    v = np.asarray(v, dtype=np.float64)
    if np.any(np.isnan(v)):
        return {"error": "nan"}
    return v.tolist()


def onehot(y, k):
    return np.eye(k, dtype=np.int64)[y]


def classification(name, y_true, y_pred, k, threshold=0.5):
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    binary = y_pred.ndim == 1
    labels = list(range(k))
    if binary:
        assert k == 2
        pred = (y_pred > threshold).astype(np.int64)
        scores = np.stack([1 - y_pred, y_pred], axis=1)  # per-class scores
    else:
        assert y_pred.shape[1] == k
        pred = np.argmax(y_pred, axis=1)
        scores = y_pred
    e = {}
    e["accuracy"] = call(skm.accuracy_score, y_true, pred)
    e["confusion_matrix"] = call(skm.confusion_matrix, y_true, pred, labels=labels)
    averages = ["per_class", "macro", "micro", "weighted"]
    if binary:
        averages.append("binary")
    for avg in averages:
        a = None if avg == "per_class" else avg
        e["precision/" + avg] = call(skm.precision_score, y_true, pred, labels=labels, average=a)
        e["recall/" + avg] = call(skm.recall_score, y_true, pred, labels=labels, average=a)
        e["f1/" + avg] = call(skm.f1_score, y_true, pred, labels=labels, average=a)
        for beta in (0.5, 2):
            e["fbeta%g/%s" % (beta, avg)] = call(
                skm.fbeta_score, y_true, pred, beta=beta, labels=labels, average=a)
    if binary:
        e["precision/binary_pos0"] = call(skm.precision_score, y_true, pred, pos_label=0)
        e["recall/binary_pos0"] = call(skm.recall_score, y_true, pred, pos_label=0)
        e["f1/binary_pos0"] = call(skm.f1_score, y_true, pred, pos_label=0)
    e["mcc"] = call(skm.matthews_corrcoef, y_true, pred)
    e["balanced_accuracy"] = call(skm.balanced_accuracy_score, y_true, pred)
    e["log_loss"] = call(skm.log_loss, y_true, y_pred, labels=labels)
    ind = onehot(y_true, k)
    for avg in ["per_class", "macro", "micro", "weighted"]:
        a = None if avg == "per_class" else avg
        e["roc_auc/" + avg] = call(skm.roc_auc_score, ind, scores, average=a)
        e["average_precision/" + avg] = call(skm.average_precision_score, ind, scores, average=a)
    if binary:
        e["roc_auc/binary"] = call(skm.roc_auc_score, y_true, y_pred)
        e["average_precision/binary"] = call(skm.average_precision_score, y_true, y_pred)
    else:
        for kk in range(1, k + 1):
            e["top_k/%d" % kk] = call(skm.top_k_accuracy_score, y_true, y_pred, k=kk, labels=labels)
        if k >= 3:
            e["top_k/5"] = call(skm.top_k_accuracy_score, y_true, y_pred, k=5, labels=labels)
    try:
        e["report"] = skm.classification_report(
            y_true, pred, labels=labels, digits=4, output_dict=True)
        e["report_text"] = skm.classification_report(y_true, pred, labels=labels, digits=4)
    except ValueError as err:
        e["report"] = {"error": str(err)}
    return {
        "name": name,
        "classes": k,
        "threshold": threshold,
        "pred_cols": 1 if binary else k,
        "y_true": y_true.tolist(),
        "y_pred": y_pred.ravel().tolist(),
        "expect": e,
    }


def regression(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
        y_pred = y_pred[:, None]
    e = {}
    for mo, key in (("raw_values", "per_output"), ("uniform_average", "avg")):
        e["mse/" + key] = call(skm.mean_squared_error, y_true, y_pred, multioutput=mo)
        e["rmse/" + key] = call(skm.mean_squared_error, y_true, y_pred, multioutput=mo, squared=False)
        e["mae/" + key] = call(skm.mean_absolute_error, y_true, y_pred, multioutput=mo)
        e["mape/" + key] = call(skm.mean_absolute_percentage_error, y_true, y_pred, multioutput=mo)
        e["r2/" + key] = call(skm.r2_score, y_true, y_pred, multioutput=mo)
        e["explained_variance/" + key] = call(
            skm.explained_variance_score, y_true, y_pred, multioutput=mo)
    return {
        "name": name,
        "cols": y_true.shape[1],
        "y_true": y_true.ravel().tolist(),
        "y_pred": y_pred.ravel().tolist(),
        "expect": e,
    }


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def classification_cases():
    cases = []

    rs = np.random.RandomState(1)
    n = 200
    y = rs.randint(0, 2, n)
    p = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rs.normal(0, 1.5, n))))
    cases.append(classification("random binary", y, p, 2))
    cases.append(classification("random binary, threshold 0.3", y, p, 2, threshold=0.3))

    rs = np.random.RandomState(2)
    n, k = 300, 4
    y = rs.randint(0, k, n)
    z = rs.normal(0, 1, (n, k))
    z[np.arange(n), y] += 1.2
    cases.append(classification("random multiclass", y, softmax(z), k))

    rs = np.random.RandomState(3)
    n, k = 500, 6
    y = rs.choice(k, n, p=[0.4, 0.25, 0.15, 0.1, 0.07, 0.03])
    z = rs.normal(0, 1.3, (n, k))
    z[np.arange(n), y] += 1.0
    cases.append(classification("random multiclass, imbalanced", y, softmax(z), k))

    rs = np.random.RandomState(4)
    n = 40
    cases.append(classification("binary, all class 0", np.zeros(n, dtype=int), rs.uniform(size=n), 2))
    cases.append(classification("binary, all class 1", np.ones(n, dtype=int), rs.uniform(size=n), 2))
    cases.append(classification("binary, nothing predicted positive",
                                rs.randint(0, 2, n), rs.uniform(0, 0.5, n), 2))
    cases.append(classification("binary, all class 0 and all predicted 0",
                                np.zeros(n, dtype=int), rs.uniform(0, 0.5, n), 2))

    rs = np.random.RandomState(5)
    n, k = 30, 3
    z = rs.normal(0, 1, (n, k))
    cases.append(classification("multiclass, all class 1", np.ones(n, dtype=int), softmax(z), k))

    rs = np.random.RandomState(6)
    n, k = 120, 4
    y = rs.randint(0, k, n)
    z = rs.normal(0, 1, (n, k))
    z[np.arange(n), y] += 1.0
    z[:, 3] -= 10  # class 3 occurs but is never the arg max
    cases.append(classification("multiclass, a class never predicted", y, softmax(z), k))

    rs = np.random.RandomState(7)
    n, k = 80, 4
    y = rs.randint(0, 3, n)
    z = rs.normal(0, 1, (n, k))
    z[np.arange(n), y] += 1.5
    z[:, 3] -= 10  # class 3 neither occurs nor is predicted
    cases.append(classification("multiclass, a class absent", y, softmax(z), k))

    rs = np.random.RandomState(8)
    n = 60
    y = rs.randint(0, 2, n)
    p = rs.choice([0.0, 0.2, 0.5, 0.8, 1.0], n)
    cases.append(classification("binary, tied scores", y, p, 2))
    rows = np.array([[0.4, 0.4, 0.2], [0.25, 0.5, 0.25], [1 / 3, 1 / 3, 1 / 3],
                     [0.2, 0.4, 0.4], [0.5, 0.25, 0.25], [0.0, 0.5, 0.5]])
    n = 90
    y = rs.randint(0, 3, n)
    cases.append(classification("multiclass, tied scores", y, rows[rs.randint(0, len(rows), n)], 3))

    rs = np.random.RandomState(9)
    n = 50
    y = rs.randint(0, 2, n)
    cases.append(classification("binary, perfect", y, y.astype(float), 2))
    cases.append(classification("binary, worst", y, 1 - y.astype(float), 2))
    n, k = 50, 3
    y = rs.randint(0, k, n)
    cases.append(classification("multiclass, perfect", y, onehot(y, k).astype(float), k))
    cases.append(classification("multiclass, worst", y, onehot((y + 1) % k, k).astype(float), k))

    cases.append(classification("binary, one sample", [1], [0.7], 2))
    cases.append(classification("multiclass, one sample", [2], [[0.2, 0.3, 0.5]], 3))
    return cases


def regression_cases():
    cases = []
    rs = np.random.RandomState(11)
    n = 100
    y = rs.normal(3, 2, n)
    cases.append(regression("random", y, y + rs.normal(0, 0.7, n)))
    n = 150
    y = rs.normal(0, 1, (n, 3)) * [1, 10, 0.1] + [0, 5, -2]
    cases.append(regression("random, three outputs", y, y + rs.normal(0, 1, (n, 3)) * [0.5, 4, 0.2]))
    y = np.full(20, 3.0)
    cases.append(regression("constant target, perfect", y, y.copy()))
    cases.append(regression("constant target, constant offset", y, y - 1))
    cases.append(regression("constant target, noisy", y, y + rs.normal(0, 1, 20)))
    y = rs.normal(0, 1, 30)
    y[::5] = 0
    cases.append(regression("zeros in the target", y, y + rs.normal(0, 0.1, 30)))
    y = rs.normal(0, 1, 25)
    cases.append(regression("perfect", y, y.copy()))
    cases.append(regression("mixed columns", np.stack([np.full(10, 2.5), np.arange(10.0)], axis=1),
                            np.stack([np.full(10, 2.5), np.arange(10.0)[::-1]], axis=1)))
    cases.append(regression("one sample", [1.5], [2.0]))
    return cases


def main():
    out = {
        "generator": "gen_sklearn.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "classification": classification_cases(),
        "regression": regression_cases(),
    }
    json.dump(out, sys.stdout, allow_nan=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
