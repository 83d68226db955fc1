"""The values a meta graph stores: op attributes and the objects they hold, as JSON and arrays.

An op is stored as its class's registered name and its attributes (`vars(op)`), each value
encoded here: JSON numbers, strings, lists and tagged dicts ({"tuple": [...]}, {"node": name},
{"array": k} for the k-th array of the file, {"object": class name, "state": {...}} ...).
Decoding looks classes up in `registry()`, built from the subclasses of the bases passos
declares storable (`STORABLE_BASES`: ops, initializers, optimizers ...), and NumPy functions in
a fixed table; nothing a file names is imported or run. A value that cannot be stored (a
Python function, a data pipeline) raises `Unstorable`, saying why.
"""
import functools
import math
import re

import numpy as np

from ... import initializers, optim
from ...core.op import Op
from ...graph.graph import Symbol
from . import dtypes
from .init_ops import Initializer
from .slots import SlotStore
from .subgraph import Subgraph

# classes whose passos subclasses a meta graph may hold (tf.train's Optimizer adds itself)
STORABLE_BASES = [Op, Subgraph, SlotStore, Initializer, initializers.Initializer, optim.Optimizer]
_REDUCTIONS = ("max", "min", "argmax", "argmin", "sum", "prod", "mean", "any", "all")
_NUMPY = {name: getattr(np, name) for name in dir(np)
          if isinstance(getattr(np, name), np.ufunc) or name in _REDUCTIONS}
_NUMPY_NAMES = {id(f): name for name, f in sorted(_NUMPY.items(), reverse=True)}
_PYTHON_TYPES = {t.__name__: t for t in (bool, int, float, complex)}
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BIG = 2 ** 53  # larger integers are written as text: JSON readers lose their digits
MAX_DEPTH = 50  # levels of nesting in one attribute


class Unstorable(Exception):
    """A value a meta graph cannot hold; the message says what it is."""


class BadValue(Exception):
    """A stored value that does not decode; the message says which and why."""


def storable(base):
    """Let a meta graph hold instances of `base`'s passos subclasses (and `base` itself)."""
    if base not in STORABLE_BASES:
        STORABLE_BASES.append(base)
    return base


def class_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def registry():
    """{registered name: class} of every storable passos class now defined (names unique)."""
    found, seen, stack = {}, set(), list(STORABLE_BASES)
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
        name = class_name(cls)
        if cls.__module__.startswith("passos.") and "<locals>" not in name:
            found[name] = None if name in found else cls  # made twice: ambiguous, never loaded
    return {name: cls for name, cls in found.items() if cls is not None}


class Encoder:
    """Encodes values into JSON, appending arrays to `arrays`; nodes become their names."""

    def __init__(self, arrays, known):
        self.arrays, self.known, self.classes = arrays, known, registry()

    def state(self, obj, depth=0):
        """{attribute: encoded value} of a registered object."""
        if self.classes.get(class_name(type(obj))) is not type(obj):
            raise Unstorable(f"holds a {type(obj).__module__}.{type(obj).__qualname__}, a class "
                             "a meta graph cannot store")
        state = obj.__getstate__() or {}
        if not isinstance(state, dict):
            raise Unstorable(f"holds a {class_name(type(obj))} whose state is not a dict")
        # '__name' entries are caches of results by shapes (ops/windows.by_shapes), made again
        # on use: stored, an altered file could make an op skip its shape checks
        return {k: self.encode(v, depth + 1) for k, v in state.items() if not k.startswith("__")}

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise Unstorable(f"nests values more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return value if abs(value) < _BIG else {"int": str(value)}
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, Symbol):
            if id(value) not in self.known:
                raise Unstorable(f"refers to '{value.node_name}', a node of another graph")
            return {"node": value.node_name}
        if isinstance(value, list):
            return [self.encode(v, depth + 1) for v in value]
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {"dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                             for k, v in value.items()]}
        return self._special(value, depth)

    def _special(self, value, depth):
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biuf":
                raise Unstorable(f"holds an array of {value.dtype}, not numbers")
            self.arrays.append(value)
            return {"array": len(self.arrays) - 1, "writeable": bool(value.flags.writeable)}
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"scalar": self.encode(value.item()), "dtype": value.dtype.name}
        if isinstance(value, np.dtype):
            return {"dtype": value.name}
        if any(value is t for t in _PYTHON_TYPES.values()):  # a dtype given as Python's bool ...
            return {"python_type": value.__name__}
        if isinstance(value, dtypes.DType):
            return {"tf_dtype": value.name}
        if isinstance(value, slice):
            return {"slice": [self.encode(v, depth + 1) for v in (value.start, value.stop,
                                                                  value.step)]}
        if value is Ellipsis:
            return {"ellipsis": True}
        if isinstance(value, np.random.Generator):
            return _encode_rng(value)
        if id(value) in _NUMPY_NAMES and _NUMPY[_NUMPY_NAMES[id(value)]] is value:
            return {"numpy": _NUMPY_NAMES[id(value)]}
        if isinstance(value, functools.partial) and isinstance(value.func, type):
            if class_name(value.func) not in self.classes:
                raise Unstorable(f"makes a {class_name(value.func)}, a class a meta graph "
                                 "cannot store")
            return {"partial": class_name(value.func), "args": self.encode(value.args, depth),
                    "keywords": self.encode(value.keywords, depth)}
        if self.classes.get(class_name(type(value))) is not type(value) and callable(value):
            name = getattr(value, "__name__", value)
            raise Unstorable(f"holds the Python callable {name!r:.60}, code a meta graph cannot "
                             "store")
        return {"object": class_name(type(value)), "state": self.state(value, depth)}


def _encode_rng(rng):
    state = rng.bit_generator.state
    if state.get("bit_generator") != "PCG64":
        raise Unstorable(f"holds a {state.get('bit_generator')} random generator; only PCG64's "
                         "state is stored")
    return {"rng": [str(state["state"]["state"]), str(state["state"]["inc"]),
                    int(state["has_uint32"]), int(state["uinteger"])]}


class Decoder:
    """Decodes what Encoder wrote: arrays from `arrays`, nodes from `nodes` (name -> node)."""

    def __init__(self, arrays, nodes):
        self.arrays, self.nodes, self.classes = arrays, nodes, registry()

    def new(self, name, state, depth=0):
        """An instance of registered class `name` with attributes `state` (no __init__ runs)."""
        cls = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise BadValue(f"names the class {name!r:.80}, which is not one passos stores "
                           "(it registers op, initializer and optimizer classes only)")
        if not isinstance(state, dict):
            raise BadValue(f"gives {name} a state that is not a dict of attributes")
        obj = cls.__new__(cls)
        values = {}
        for key, value in state.items():
            taken = getattr(cls, key, None)
            if not _ATTRIBUTE.match(key) or key.startswith("__") or callable(taken) \
                    or isinstance(taken, property):
                raise BadValue(f"gives {name} the attribute {key!r:.60}, which would replace "
                               "its code or is not an attribute name")
            values[key] = self.decode(value, depth + 1)
        obj.__setstate__(values) if hasattr(cls, "__setstate__") else vars(obj).update(values)
        return obj

    def decode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise BadValue(f"nests values more than {MAX_DEPTH} levels deep")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.decode(v, depth + 1) for v in value]
        tag = next(iter(value), None) if isinstance(value, dict) else None  # written first
        if tag not in _DECODERS or len(value) > 3:
            raise BadValue(f"holds {value!r:.80}, not a value a meta graph writes")
        decode = _DECODERS[tag]
        try:
            return decode(self, value, depth + 1)
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as error:
            raise BadValue(f"holds a damaged {tag!r} value {value!r:.80} "
                           f"({type(error).__name__}: {error})") from None

    def _node(self, value, depth):
        name = value["node"]
        if name not in self.nodes:
            raise BadValue(f"refers to the node {name!r:.80}, which is not defined before it")
        return self.nodes[name]

    def _array(self, value, depth):
        array = self.arrays[value["array"]]
        return array if not value.get("writeable") else array.copy()

    def _dict(self, value, depth):
        return {self._hashable(k, depth): self.decode(v, depth)
                for k, v in value["dict"]}

    def _hashable(self, key, depth):
        key = self.decode(key, depth)
        hash(key)  # a TypeError (a list as a key): reported as a damaged value
        return key


def dtype_named(name):
    dtype = np.dtype(str(name))
    if dtype.name != name or dtype.kind not in "biufO":
        raise ValueError(f"{name!r:.40} is not a dtype a meta graph writes")
    return dtype


def _scalar(decoder, value, depth):
    dtype = dtype_named(value["dtype"])
    if dtype.kind == "O":
        raise ValueError("an object scalar")
    return dtype.type(decoder.decode(value["scalar"], depth))


def _rng(decoder, value, depth):
    state, inc, has_uint32, uinteger = value["rng"]
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = {"bit_generator": "PCG64", "has_uint32": int(has_uint32),
                               "uinteger": int(uinteger),
                               "state": {"state": int(state), "inc": int(inc)}}
    return rng


def _numpy(decoder, value, depth):
    return _NUMPY[value["numpy"]]


def _partial(decoder, value, depth):
    cls = decoder.classes.get(value["partial"]) if isinstance(value["partial"], str) else None
    if cls is None:
        raise ValueError(f"{value['partial']!r:.80} is not a class passos stores")
    return functools.partial(cls, *decoder.decode(value["args"], depth),
                             **decoder.decode(value["keywords"], depth))


_DECODERS = {
    "node": Decoder._node,
    "array": Decoder._array,
    "dict": Decoder._dict,
    "tuple": lambda d, v, depth: tuple(d.decode(v["tuple"], depth)),
    "int": lambda d, v, depth: int(v["int"][:60] if len(v["int"]) <= 60 else "too long"),
    "float": lambda d, v, depth: float({"inf": "inf", "-inf": "-inf", "nan": "nan"}[v["float"]]),
    "scalar": _scalar,
    "dtype": lambda d, v, depth: dtype_named(v["dtype"]),
    "python_type": lambda d, v, depth: _PYTHON_TYPES[v["python_type"]],
    "tf_dtype": lambda d, v, depth: dtypes.as_dtype(dtype_named(v["tf_dtype"])),
    "slice": lambda d, v, depth: slice(*d.decode(v["slice"], depth)),
    "ellipsis": lambda d, v, depth: Ellipsis,
    "rng": _rng,
    "numpy": _numpy,
    "partial": _partial,
    "object": lambda d, v, depth: d.new(v["object"], v["state"], depth),
}
