"""Weight initialisers with Keras 2's names and defaults; by name, class, instance or config.

The initializers themselves live in `passos.initializers`, shared with
`passos.compat.v1`; this module adds Keras's functions (`glorot_uniform` ...),
names and serialization.
"""
from ..initializers import (Constant, Identity, Initializer, Ones, Orthogonal,  # noqa: F401
                            RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
                            compute_fans)


def lecun_uniform(seed=None):
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return VarianceScaling(1.0, "fan_in", "normal", seed)


def glorot_normal(seed=None):
    return VarianceScaling(1.0, "fan_avg", "normal", seed)


def glorot_uniform(seed=None):
    return VarianceScaling(1.0, "fan_avg", "uniform", seed)


def he_normal(seed=None):
    return VarianceScaling(2.0, "fan_in", "normal", seed)


def he_uniform(seed=None):
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


_CLASSES = {c.__name__: c for c in (Zeros, Ones, Constant, RandomNormal, RandomUniform,
                                    TruncatedNormal, VarianceScaling, Orthogonal, Identity)}
_FUNCTIONS = {f.__name__: f for f in (lecun_uniform, lecun_normal, glorot_normal,
                                      glorot_uniform, he_normal, he_uniform)}
_ALIASES = {"zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
            "random_normal": RandomNormal, "normal": RandomNormal,
            "random_uniform": RandomUniform, "uniform": RandomUniform,
            "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
            "orthogonal": Orthogonal, "identity": Identity}


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'Zeros'), a class, an instance or a config."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if identifier in _FUNCTIONS.values():
        return identifier()
    if isinstance(identifier, dict):
        name = identifier["class_name"]
        found = _CLASSES.get(name) or _ALIASES.get(name) or _FUNCTIONS.get(name)
        if found is None:
            raise ValueError(f"unknown initializer class {name!r}")
        return found(**identifier.get("config", {}))
    if isinstance(identifier, str):
        found = _CLASSES.get(identifier) or _ALIASES.get(identifier) or _FUNCTIONS.get(identifier)
        if found is not None:
            return found()
    elif callable(identifier):  # a user's function(shape, dtype)
        return identifier
    raise ValueError(f"unknown initializer {identifier!r}; use e.g. 'glorot_uniform', "
                     f"'he_normal', 'zeros' or an initializer instance")


def serialize(initializer):
    """{'class_name', 'config'} for saving a model's architecture as JSON."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
