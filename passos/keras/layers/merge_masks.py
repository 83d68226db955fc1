"""Keras 2's rules for the mask of a merge layer's output, from its inputs' masks.

Add, Multiply, Average ... keep the steps that every masked input keeps; Concatenate joins
the masks as it joins the inputs (an unmasked input counting as all kept) and keeps a
position when all of its joined entries are kept; Dot's output has no mask.
"""
from ...ops import arithmetic as ar, elementwise as el, reduce as rd
from ...ops.creation import ones_like
from ...ops.movement import concatenate
from ..engine.base_layer import layer_error
from ..engine.masking import all_of, none_given


def _checked(layer, inputs, mask):
    if not isinstance(mask, list) or len(mask) != len(inputs):
        raise layer_error(layer, f"needs one mask (or None) per input, got {mask!r:.80} for "
                                 f"{len(inputs)} inputs")
    return mask


def merged_mask(layer, inputs, mask):
    """The logical and of the given masks, or None when no input carries one."""
    if mask is None or none_given(_checked(layer, inputs, mask)):
        return None
    return all_of([m for m in mask if m is not None])


def concatenated_mask(layer, inputs, mask, axis):
    """Concatenate's mask: the masks joined along `axis`, then all of the last axis."""
    if mask is None or none_given(_checked(layer, inputs, mask)):
        return None
    joined = []
    for x, m in zip(inputs, mask):
        if m is None:
            joined.append(ones_like(x, dtype="float32"))
            continue
        m = el.cast(m, "float32")
        if len(m.shape) < len(x.shape):  # a (batch, steps) mask next to (batch, steps, features)
            m = m[..., None]
        joined.append(m)
    return ar.not_equal(rd.min(concatenate(joined, axis=axis), axis=-1), 0.0)
