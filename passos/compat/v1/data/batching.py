"""Dataset transformations that group or reorder elements: batch, padded_batch, shuffle."""
import numpy as np

from ....graph import Symbol
from .structure import compatible, flatten, flatten_up_to, static_shape


def _positive(value, who, what):
    if int(value) != value or value < 1:
        raise ValueError(f"{who}: {what} must be a positive integer, got {value!r}")
    return int(value)


def _size(value, who, what):
    """(inputs, size_of): a count given as a number, or as a scalar tensor (often an int64
    placeholder) read when the iterator is initialised, as TF1 allows."""
    if not isinstance(value, Symbol):
        size = _positive(value, who, what)
        return [], lambda env: size
    if value.shape is not None and tuple(value.shape) != ():
        raise ValueError(f"{who}: {what} must be a scalar tensor, got shape {tuple(value.shape)}")
    return [value], lambda env: _positive(np.asarray(env[id(value)]).item(), who, what)


def _groups(source, size, drop_remainder):
    """Lists of `size` consecutive elements of the generator `source` (the last may be short)."""
    group = []
    for element in source:
        group.append(element)
        if len(group) == size:
            yield group
            group = []
    if group and not drop_remainder:
        yield group


def batch(dataset, batch_size, drop_remainder):
    inputs, size_of = _size(batch_size, "Dataset.batch", "batch_size")
    first = size_of(None) if drop_remainder and not inputs else None

    def elements(env):
        for group in _groups(dataset._elements(env), size_of(env), drop_remainder):
            try:
                yield [np.stack(parts) for parts in zip(*group)]
            except ValueError:
                shapes = [[np.shape(p) for p in parts] for parts in zip(*group)]
                raise ValueError("Dataset.batch: elements of one batch differ in shape "
                                 f"({shapes}); use padded_batch for sequences") from None
    specs = [(None if s is None else (first, *s), d) for s, d in dataset._specs]
    return dataset._derived(elements, specs=specs, inputs=inputs)


def padded_batch(dataset, batch_size, padded_shapes, padding_values, drop_remainder):
    inputs, size_of = _size(batch_size, "Dataset.padded_batch", "batch_size")
    count = len(dataset._specs)
    if padded_shapes is None:
        shapes = [s for s, _ in dataset._specs]
    else:
        shapes = [static_shape(s) for s in flatten_up_to(
            dataset._template, padded_shapes, "Dataset.padded_batch: padded_shapes")]
    pads = [0] * count if padding_values is None else flatten(padding_values)
    if len(pads) != count:
        raise ValueError(f"Dataset.padded_batch: the element has {count} components; "
                         f"padding_values {padding_values!r} must match its structure")
    for (s, _), target in zip(dataset._specs, shapes):
        if s is not None and target is not None and (len(s) != len(target) or any(
                a is not None and b is not None and a > b for a, b in zip(s, target))):
            raise ValueError(f"Dataset.padded_batch: a component of shape {s} does not fit "
                             f"padded shape {target}")

    def elements(env):
        for group in _groups(dataset._elements(env), size_of(env), drop_remainder):
            yield [_pad(parts, target, pad) for parts, target, pad in zip(zip(*group), shapes, pads)]
    first = size_of(None) if drop_remainder and not inputs else None
    specs = [((first, *t) if t is not None else None, d) for t, (_, d) in zip(shapes, dataset._specs)]
    return dataset._derived(elements, specs=specs, inputs=inputs)


def _pad(parts, target, pad):
    """The arrays `parts` padded with `pad` to `target` (None: the longest) and stacked."""
    ranks = {np.ndim(p) for p in parts}
    if len(ranks) > 1:
        raise ValueError(f"Dataset.padded_batch: components of ranks {sorted(ranks)} in one batch")
    longest = np.max([np.shape(p) for p in parts], axis=0) if ranks != {0} else ()
    shape = tuple(int(m) if t is None else t for m, t in zip(longest, target or longest))
    out = np.full((len(parts), *shape), pad, dtype=np.asarray(parts[0]).dtype)
    for i, p in enumerate(parts):
        if any(a > b for a, b in zip(np.shape(p), shape)):
            raise ValueError(f"Dataset.padded_batch: a component of shape {np.shape(p)} is "
                             f"larger than the padded shape {shape}")
        out[(i, *(slice(0, n) for n in np.shape(p)))] = p
    return out


def shuffle(dataset, buffer_size, seed, reshuffle_each_iteration):
    inputs, size_of = _size(buffer_size, "Dataset.shuffle", "buffer_size")
    key = object()  # this shuffle's generator in the state of one initialisation
    # Each initialisation gets a generator of its own, seeded from this one: reinitialising
    # the iterator each epoch (TF1's usual loop) draws a new order, as does each pass of a repeat.
    orders = np.random.default_rng(seed)

    def elements(env):
        if key not in env:
            env[key] = np.random.default_rng(orders.integers(2**63))
        rng = env[key]
        if not reshuffle_each_iteration:
            rng = np.random.default_rng(seed)
        buffer, source, size = [], iter(dataset._elements(env)), size_of(env)
        for element in source:
            buffer.append(element)
            if len(buffer) == size:
                break
        for element in source:
            i = rng.integers(len(buffer))
            yield buffer[i]
            buffer[i] = element
        while buffer:
            yield buffer.pop(rng.integers(len(buffer)))
    return dataset._derived(elements, inputs=inputs)


def check_same(dataset, other, who):
    """Raise unless `other`'s elements have `dataset`'s structure, dtypes and shapes."""
    if len(other._specs) != len(dataset._specs) or any(
            d1 != d2 or not compatible(s1, s2)
            for (s1, d1), (s2, d2) in zip(dataset._specs, other._specs)):
        raise TypeError(f"{who}: the datasets' elements differ: types {dataset.output_types} "
                        f"shapes {dataset.output_shapes} vs types {other.output_types} "
                        f"shapes {other.output_shapes}")
