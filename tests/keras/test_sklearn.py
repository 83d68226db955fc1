"""keras.wrappers.scikit_learn: KerasClassifier and KerasRegressor inside scikit-learn."""
import numpy as np
import pytest

from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.optimizers import SGD
from passos.keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor
from passos.ops import random as passos_random

RNG = np.random.default_rng(1)
X = RNG.normal(size=(60, 2)).astype(np.float32)
LABELS = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
TARGETS = (X @ np.array([1.5, -2.0]) + 0.5).astype(np.float32)


def classifier(units=8, loss="categorical_crossentropy", lr=0.5):
    outputs = Dense(2, activation="softmax") if loss == "categorical_crossentropy" else \
        Dense(1, activation="sigmoid")
    model = Sequential([Dense(units, activation="tanh", input_shape=(2,)), outputs])
    model.compile(SGD(lr), loss, metrics=["accuracy"])
    return model


def regressor(units=8):
    model = Sequential([Dense(units, activation="tanh", input_shape=(2,)), Dense(1)])
    model.compile(SGD(0.05), "mse")
    return model


def test_classifier_encodes_labels_and_scores_accuracy():
    passos_random.seed(0)
    clf = KerasClassifier(classifier, epochs=20, batch_size=8, verbose=0)
    clf.fit(X, LABELS)
    assert list(clf.classes_) == ["no", "yes"] and clf.n_classes_ == 2
    predicted = clf.predict(X)
    assert predicted.shape == (60,) and set(predicted) <= {"no", "yes"}
    accuracy = clf.score(X, LABELS)
    assert accuracy > 0.85 and np.isclose(accuracy, np.mean(predicted == LABELS))
    probabilities = clf.predict_proba(X)
    assert probabilities.shape == (60, 2) and np.allclose(probabilities.sum(1), 1, atol=1e-5)
    binary = KerasClassifier(classifier, loss="binary_crossentropy", epochs=2, verbose=0)
    binary.fit(X, LABELS == "yes")
    assert binary.predict_proba(X).shape == (60, 2) and binary.predict(X).dtype == bool


def test_regressor_score_is_minus_the_loss():
    reg = KerasRegressor(regressor, units=4, epochs=5, batch_size=10, verbose=0)
    reg.fit(X, TARGETS)
    predicted = reg.predict(X)
    assert predicted.shape == (60,)
    mse = np.mean((predicted - TARGETS) ** 2)
    assert np.isclose(reg.score(X, TARGETS), -mse, rtol=1e-4)


def test_params_and_errors():
    clf = KerasClassifier(classifier, units=3, epochs=2)
    assert clf.get_params() == {"build_fn": classifier, "units": 3, "epochs": 2}
    assert clf.set_params(units=5) is clf and clf.sk_params["units"] == 5
    with pytest.raises(ValueError, match="KerasClassifier: 'colour' is not a legal parameter"):
        KerasClassifier(classifier, colour="red")
    with pytest.raises(ValueError, match="KerasRegressor: give build_fn"):
        KerasRegressor()
    with pytest.raises(ValueError, match=r"y must be labels of shape \(n,\).*got shape \(2, 2, 2\)"):
        clf.fit(X[:2], np.zeros((2, 2, 2)))

    class Plain(KerasClassifier):  # no build_fn: the subclass's __call__ builds the model
        def __call__(self, units=2):
            model = Sequential([Dense(units, input_shape=(2,)), Dense(2, activation="softmax")])
            model.compile("sgd", "categorical_crossentropy")
            return model
    plain = Plain(units=3, epochs=1, verbose=0)
    plain.fit(X, LABELS)
    assert plain.model.layers[0].units == 3
    with pytest.raises(ValueError, match="KerasClassifier.score: the model does not compute accuracy"):
        plain.score(X, LABELS)

    class Builder:  # a callable object as build_fn, as Keras allows
        def __call__(self, units=2):
            return regressor(units)
    KerasRegressor(Builder(), units=3, epochs=1, verbose=0).fit(X, TARGETS)


def test_clone_cross_val_score_and_grid_search():
    pytest.importorskip("sklearn", reason="scikit-learn is an optional extra (passos[sklearn])")
    from sklearn.base import clone, is_classifier, is_regressor
    from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
    passos_random.seed(1)
    clf = KerasClassifier(classifier, epochs=15, batch_size=8, verbose=0)
    copy = clone(clf)
    assert copy is not clf and copy.get_params() == clf.get_params()
    assert is_classifier(clf) and is_regressor(KerasRegressor(regressor))
    scores = cross_val_score(clf, X, LABELS, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8
    search = GridSearchCV(clf, {"units": [2, 8], "lr": [0.5]}, cv=2)
    search.fit(X, LABELS)
    assert search.best_params_["units"] in (2, 8) and search.best_score_ > 0.7
    assert search.predict(X[:4]).shape == (4,)
    folds = KFold(2, shuffle=True, random_state=0)
    reg_scores = cross_val_score(KerasRegressor(regressor, epochs=5, verbose=0), X, TARGETS, cv=folds)
    assert reg_scores.shape == (2,) and np.all(reg_scores < 0)
