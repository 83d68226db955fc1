"""Keras 2's initializer names, functions (`glorot_uniform` ...) and serialization over
`passos.initializers` (shared with `passos.compat.v1`): `get` by name, class, instance or config.
"""
from ..initializers import (Constant, Identity, Initializer, Ones, Orthogonal,  # noqa: F401
                            RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
                            compute_fans)


def _variance_scaling(name, scale, mode, distribution):
    """Keras's function `name(seed=None)`: a VarianceScaling with these settings."""
    def initializer(seed=None):
        return VarianceScaling(scale, mode, distribution, seed)
    initializer.__name__ = initializer.__qualname__ = name
    initializer.__doc__ = f"VarianceScaling({scale}, {mode!r}, {distribution!r}, seed)."
    return initializer


lecun_uniform = _variance_scaling("lecun_uniform", 1.0, "fan_in", "uniform")
lecun_normal = _variance_scaling("lecun_normal", 1.0, "fan_in", "normal")
glorot_normal = _variance_scaling("glorot_normal", 1.0, "fan_avg", "normal")
glorot_uniform = _variance_scaling("glorot_uniform", 1.0, "fan_avg", "uniform")
he_normal = _variance_scaling("he_normal", 2.0, "fan_in", "normal")
he_uniform = _variance_scaling("he_uniform", 2.0, "fan_in", "uniform")

_FUNCTIONS = (lecun_uniform, lecun_normal, glorot_normal, glorot_uniform, he_normal, he_uniform)
_BY_NAME = {f.__name__: f for f in (Zeros, Ones, Constant, RandomNormal, RandomUniform,
                                    TruncatedNormal, VarianceScaling, Orthogonal, Identity,
                                    *_FUNCTIONS)}
_BY_NAME.update(zeros=Zeros, zero=Zeros, ones=Ones, one=Ones, constant=Constant,
                random_normal=RandomNormal, normal=RandomNormal, random_uniform=RandomUniform,
                uniform=RandomUniform, truncated_normal=TruncatedNormal,
                variance_scaling=VarianceScaling, orthogonal=Orthogonal, identity=Identity)


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'Zeros'), a class, an instance or a config."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if identifier in _FUNCTIONS:
        return identifier()
    if isinstance(identifier, dict):
        name = identifier["class_name"]
        if name not in _BY_NAME:
            raise ValueError(f"unknown initializer class {name!r}")
        return _BY_NAME[name](**identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
    elif callable(identifier):  # a user's function(shape, dtype)
        return identifier
    raise ValueError(f"unknown initializer {identifier!r}; use e.g. 'glorot_uniform', "
                     f"'he_normal', 'zeros' or an initializer instance")


def serialize(initializer):
    """{'class_name', 'config'} for saving a model's architecture as JSON."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}

from .unsupported import module_getattr as _module_getattr  # noqa: E402 (Keras names passos lacks)

__getattr__ = _module_getattr(__name__)
