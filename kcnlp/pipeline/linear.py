"""A linear classifier over sparse string features, trained with scikit-learn and stored
without pickle: a JSON file (classes, feature index, versions) and a `.npz` of weights
loaded with `allow_pickle=False`. Loading a model can therefore never run code.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from ..errors import ModelError

__all__ = ["LinearClassifier", "Features", "ModelStage", "train_on_entities"]

Features = dict[str, float]


class LinearClassifier:
    """Multinomial (or binary) logistic regression over `{feature: value}` dicts."""

    def __init__(self, classes: list[str], index: dict[str, int], coef: np.ndarray, intercept: np.ndarray, info: dict | None = None):
        self.classes = list(classes)
        self.index = index
        self.coef = coef            # (n_classes or 1, n_features)
        self.intercept = intercept  # (n_classes or 1,)
        self.info = info or {}

    @classmethod
    def train(cls, X: list[Features], y: list[str], C: float = 1.0, seed: int = 0, class_weight=None) -> "LinearClassifier":
        from sklearn import __version__ as sklearn_version
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise ValueError(f"need at least two classes to train, got {sorted(set(y))}")
        vec = DictVectorizer()
        M = vec.fit_transform(X)
        model = LogisticRegression(C=C, max_iter=2000, random_state=seed, class_weight=class_weight)
        model.fit(M, y)
        index = {name: i for i, name in enumerate(vec.get_feature_names_out())}
        return cls([str(c) for c in model.classes_], index, model.coef_.astype(np.float64), model.intercept_.astype(np.float64),
                   {"sklearn": sklearn_version, "n_train": len(y), "C": C})

    def scores(self, features: Features) -> np.ndarray:
        """Class probabilities, in `self.classes` order."""
        columns, values = [], []
        for name, value in features.items():
            j = self.index.get(name)
            if j is not None:
                columns.append(j)
                values.append(value)
        z = self.intercept + self.coef[:, columns] @ np.array(values, dtype=np.float64) if columns else self.intercept.copy()
        if len(self.classes) == 2 and z.shape[0] == 1:
            p = 1.0 / (1.0 + np.exp(-z[0]))
            return np.array([1.0 - p, p])
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def predict(self, features: Features) -> str:
        return self.classes[int(np.argmax(self.scores(features)))]

    def best(self, features: Features) -> tuple[str, float]:
        """The most probable class and its probability."""
        p = self.scores(features)
        k = int(np.argmax(p))
        return self.classes[k], round(float(p[k]), 4)

    def proba(self, features: Features, cls: str) -> float:
        return float(self.scores(features)[self.classes.index(cls)])

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        names = sorted(self.index, key=self.index.get)
        (path / "model.json").write_text(json.dumps({"classes": self.classes, "features": names, "info": self.info},
                                                    ensure_ascii=False), encoding="utf-8")
        np.savez(path / "weights.npz", coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, path: str | Path) -> "LinearClassifier":
        path = Path(path)
        meta_file, weights_file = path / "model.json", path / "weights.npz"
        for f in (meta_file, weights_file):
            if not f.is_file():
                raise ModelError("E204", f"{f} is missing: retrain the model or copy the whole model directory")
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            raise ModelError("E205", f"{meta_file} is corrupt ({type(exc).__name__}: {exc})") from None
        try:
            with np.load(weights_file, allow_pickle=False) as w:
                coef, intercept = np.asarray(w["coef"], dtype=np.float64), np.asarray(w["intercept"], dtype=np.float64)
        except (ValueError, KeyError, OSError, TypeError) as exc:
            raise ModelError("E205", f"{weights_file} is corrupt ({type(exc).__name__}: {exc})") from None
        classes, features = (meta.get("classes"), meta.get("features")) if isinstance(meta, dict) else (None, None)
        if not (isinstance(classes, list) and len(classes) >= 2 and all(isinstance(c, str) for c in classes)
                and isinstance(features, list) and all(isinstance(f, str) for f in features)):
            raise ModelError("E205", f"{meta_file} must hold 'classes' (two or more names) and 'features' (a list of names)")
        rows = 1 if len(classes) == 2 else len(classes)
        if coef.ndim != 2 or coef.shape != (rows, len(features)) or intercept.shape != (rows,):
            raise ModelError("E205", f"{weights_file} does not fit {meta_file}: weights {coef.shape} and intercept "
                                     f"{intercept.shape} for {len(classes)} classes and {len(features)} features")
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ModelError("E206", f"{weights_file} holds NaN or infinite weights: the file is damaged; retrain the model")
        _check_version(meta.get("info", {}).get("sklearn"), path)
        return cls(classes, {n: i for i, n in enumerate(features)}, coef, intercept, meta.get("info"))


def _check_version(trained_with: str | None, path: Path) -> None:
    if not trained_with:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        now = version("scikit-learn")  # read from the package metadata: importing sklearn costs seconds
    except PackageNotFoundError:
        return
    if trained_with.split(".")[:2] != now.split(".")[:2]:
        warnings.warn(f"{path} was trained with scikit-learn {trained_with}, this is {now}; the weights are plain "
                      "numbers and load fine, but retraining gives scores that match this version", stacklevel=3)


def train_on_entities(records: list[dict], label: str, key: str, features, C: float, seed: int) -> LinearClassifier:
    """A classifier of one field (`key`: category, role) of the gold entities with this label,
    over `features(text, start, end)`."""
    X, y = [], []
    for rec in records:
        for e in rec["entities"]:
            if e["label"] == label and e.get(key):
                X.append(features(rec["text"], e["start"], e["end"]))
                y.append(e[key])
    return LinearClassifier.train(X, y, C=C, seed=seed)


class ModelStage:
    """Base of the pipeline components that hold an optional LinearClassifier (rules are
    used when it is None): saving and loading it with the pipeline."""

    def __init__(self, model: LinearClassifier | None = None):
        self.model = model

    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        # says whether a classifier was saved, so that a missing one is an error, not a silent fallback to rules
        (path / "stage.json").write_text(json.dumps({"trained": self.model is not None}), encoding="utf-8")
        if self.model is not None:
            self.model.save(path)

    def from_disk(self, path, exclude=()) -> "ModelStage":
        path = Path(path)
        marker = path / "stage.json"
        if marker.is_file():
            try:
                trained = json.loads(marker.read_text(encoding="utf-8"))["trained"]
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise ModelError("E205", f"{marker} is corrupt ({type(exc).__name__}: {exc})") from None
            if not isinstance(trained, bool):
                raise ModelError("E205", f"{marker}: 'trained' must be true or false, not {trained!r}")
        else:  # a model saved before stage.json existed
            trained = (path / "model.json").exists()
        self.model = LinearClassifier.load(path) if trained else None
        return self
