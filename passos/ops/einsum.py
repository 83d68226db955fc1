"""Einstein summation (numpy.einsum): products of operands summed over the letters the output omits.

The gradient of each operand is another einsum: of gy with the other operands, onto the
operand's own subscripts (a repeated letter, a diagonal, puts it back on the diagonal; a letter
summed away or broadcast from size 1 is spread back over the operand).
"""
import string

import numpy as np

from ..core.apply import apply
from ..core.op import Op
from ..core.registry import register
from ..core.shapes import ShapeError, describe


def _unique(letters):
    return "".join(dict.fromkeys(letters))


class Einsum(Op):
    """y = einsum(equation, *xs); the ellipsis stands for leading axes that broadcast."""

    formulas = ("∂einsum/∂x: einsum of gy with the other operands, onto x's subscripts",)
    calls_blas = True  # contractions go through tensordot

    def __init__(self, equation):
        if not isinstance(equation, str):
            raise TypeError(f"einsum: the equation must be a string like 'ij,jk->ik', "
                            f"got {equation!r}")
        self.kind = "einsum"
        self.equation = equation.replace(" ", "")

    def attrs(self):
        return {"equation": self.equation}

    def _parse(self, ranks, shapes):
        """([subscripts per operand], output subscripts), '...' written out as spare letters."""
        eq = self.equation
        left, arrow, right = eq.partition("->")
        subs = left.split(",")
        if len(subs) != len(ranks):
            raise ShapeError(f"einsum: equation '{eq}' has {len(subs)} operand(s) but "
                             f"{len(ranks)} were given (shapes {', '.join(map(describe, shapes))})")
        for s in subs + [right]:
            bad = set(s.replace("...", "")) - set(string.ascii_letters)
            if bad or s.count("...") > 1:
                raise ValueError(f"einsum: equation '{eq}': subscripts are letters with at most "
                                 f"one '...' per operand, got '{s}'")
        spare = [c for c in string.ascii_letters if c not in eq]
        dots = max((r - len(s) + 3 for s, r in zip(subs, ranks) if "..." in s), default=0)
        expanded = []
        for i, (s, r) in enumerate(zip(subs, ranks)):
            fixed = len(s) - 3 * ("..." in s)
            if ("..." in s and r < fixed) or ("..." not in s and r != fixed):
                raise ShapeError(f"einsum: equation '{eq}' gives operand {i} subscripts '{s}' "
                                 f"but its shape is {describe(shapes[i])}")
            ellipsis = "".join(spare[dots - (r - fixed):dots])
            expanded.append(s.replace("...", ellipsis))
        ellipsis = "".join(spare[:dots])
        if arrow:
            out = right.replace("...", ellipsis)
            for c in out:
                if c not in "".join(expanded):
                    raise ValueError(f"einsum: equation '{eq}': output letter '{c}' appears in "
                                     f"no operand")
            if len(set(out)) != len(out):
                raise ValueError(f"einsum: equation '{eq}': output letters must be distinct")
        else:
            joined = "".join(expanded)
            out = ellipsis + "".join(sorted(c for c in set(joined) - set(ellipsis)
                                            if joined.count(c) == 1))
        return expanded, out

    def _sizes(self, subs, shapes):
        """{letter: size}, each letter's sizes equal or 1 (broadcast); None where unknown."""
        sizes = {}
        for i, (s, shape) in enumerate(zip(subs, shapes)):
            for c, n in zip(s, shape):
                m = sizes.get(c, 1)
                if n is None or m is None:
                    sizes[c] = None if n is None and m in (1, None) else (m if n is None else n)
                elif n != m and 1 not in (n, m):
                    raise ShapeError(f"einsum: equation '{self.equation}': letter '{c}' has size "
                                     f"{n} in operand {i} (shape {describe(shape)}) but {m} in an "
                                     f"earlier operand; shapes "
                                     f"{', '.join(map(describe, shapes))}")
                else:
                    sizes[c] = max(n, m)
        return sizes

    def shape(self, *shapes):
        subs, out = self._parse([len(s) for s in shapes], shapes)
        sizes = self._sizes(subs, shapes)
        return tuple(sizes[c] for c in out)

    def forward(self, *xs):
        subs, out = self._parse([np.ndim(x) for x in xs], [np.shape(x) for x in xs])
        return np.asarray(np.einsum(",".join(subs) + "->" + out, *xs, optimize=len(xs) > 2))

    def vjp(self, gy, xs, y, saved, needs):
        subs, out = self._parse([np.ndim(x) for x in xs], [np.shape(x) for x in xs])
        gy = np.broadcast_to(gy, y.shape)
        grads = []
        for i, x in enumerate(xs):
            if not needs[i]:
                grads.append(None)
                continue
            others = [out] + subs[:i] + subs[i + 1:]
            operands = [gy, *xs[:i], *xs[i + 1:]]
            sizes = self._sizes(others, [np.shape(a) for a in operands])
            own = dict(zip(subs[i], np.shape(x)))
            letters = _unique(subs[i])
            target = "".join(c for c in letters if c in sizes and sizes[c] == own[c])
            g = np.einsum(",".join(others) + "->" + target, *operands, optimize=len(operands) > 2)
            g = np.broadcast_to(np.reshape(g, [own[c] if c in target else 1 for c in letters]),
                                [own[c] for c in letters])
            gx = np.zeros(np.shape(x), g.dtype)
            np.einsum(subs[i] + "->" + letters, gx)[...] = g  # a writeable view (the diagonal)
            grads.append(gx)
        return tuple(grads)


@register("passos")
def einsum(equation, *operands, name=None):
    """Einstein summation as numpy.einsum: einsum("ij,jk->ik", a, b) is a @ b; gradients flow to
    every operand. Letters repeated across operands multiply, letters missing from the output
    (after '->', or the once-only letters in order when there is none) are summed.

    >>> import numpy as np, passos
    >>> passos.einsum("ij,j->i", np.eye(2), np.array([3.0, 4.0])).numpy()
    array([3., 4.])
    """
    return apply(Einsum(equation), *operands, name=name)
