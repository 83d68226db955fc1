"""`check_gradients(y)`: a finite-difference check of the gradient at every node of a computation.

A debugging aid for op writers. Each node's value is nudged element by element (in float64),
everything downstream re-run, and the change in y compared with the gradient the vjps send to
that node. A wrong vjp makes every node upstream of it disagree too, so the report names the
first disagreeing node and the op to suspect: the first whose own gradient agrees while the
gradient it sends to an input does not.

Kinks (relu at 0, ties in max) give honest disagreements: check away from them.
"""
import numpy as np

from ..gradcheck import GradientCheckError
from .trace import backward_pass, requirements, trace


class Mismatch:
    """Where a node's gradient and the finite differences disagree most."""

    def __init__(self, node, input_shapes, index, analytic, numeric, count):
        self.name, self.op, self.input_shapes = node.name, node.op, input_shapes
        self.shape = node.shape
        self.index, self.analytic, self.numeric, self.count = index, analytic, numeric, count

    def __str__(self):
        made = "" if not self.input_shapes else \
            f" from inputs of shapes {', '.join(str(s) for s in self.input_shapes)}"
        return (f"'{self.name}' ({self.op}, shape {self.shape}{made}) at index {self.index}: "
                f"the trace's gradient is {self.analytic:.8g}, finite differences give "
                f"{self.numeric:.8g} ({self.count} element(s) disagree)")


class GradientReport:
    """The outcome of check_gradients: `ok`, the `mismatches` in forward order, the `suspect` op."""

    def __init__(self, output, checked, mismatches, suspect):
        self.output, self.checked, self.mismatches = output, checked, mismatches
        self.suspect = suspect  # (op node name, op kind, input shapes, input name) or None

    @property
    def ok(self):
        return not self.mismatches

    @property
    def first(self):
        return self.mismatches[0] if self.mismatches else None

    def __bool__(self):
        return self.ok

    def __str__(self):
        if self.ok:
            return (f"check_gradients: the gradients of '{self.output}' agree with finite "
                    f"differences at all {len(self.checked)} nodes checked")
        lines = [f"check_gradients: {len(self.mismatches)} of {len(self.checked)} nodes disagree "
                 f"with finite differences. First in forward order: {self.first}."]
        if self.suspect is not None:
            name, kind, shapes, inp = self.suspect
            lines.append(f"Suspect op: '{name}' (op '{kind}', inputs of shapes "
                         f"{', '.join(str(s) for s in shapes)}): its own gradient agrees but the "
                         f"gradient its vjp sends to '{inp}' does not; check {kind}'s vjp.")
        return " ".join(lines)

    __repr__ = __str__


def check_gradients(y, feed_dict=None, eps=1e-6, session=None, atol=1e-5, rtol=1e-4,
                    max_elements=None, raise_error=False):
    """Compare the gradient at every node of `y`'s computation with central finite differences.

    y, feed_dict, session: as for `trace`. eps: the nudge; atol, rtol: an element disagrees when
    |analytic - numeric| > atol + rtol * |numeric|. max_elements: check at most this many
    elements per node (a random sample). Returns a GradientReport (truthy when all agree), or
    raises GradientCheckError when `raise_error` and some node disagrees.

    >>> import passos
    >>> from passos.explain import check_gradients
    >>> x = passos.tensor([0.5, 2.0], requires_grad=True, name="x")
    >>> check_gradients(passos.sum(passos.log(x) * x)).ok
    True
    """
    t = trace(y, feed_dict, session, inputs_grad=True)
    nodes, output = t.nodes, t.output
    # 1. every value again in float64: leaves cast up, ops re-run
    values, saved = _forward64(nodes)
    # 2. the gradient at every node, from the ops' vjps, in float64
    requires = requirements(nodes, inputs_grad=True)
    order = [n.id for n in reversed(nodes) if requires[n.id]]
    _, grads = backward_pass(nodes, output, order, requires, values, saved, explain=False)
    # 3. finite differences at every floating-point node, in forward order
    rng = np.random.default_rng(0)
    checked, mismatches, bad = [], [], set()
    for node in nodes:
        value = np.asarray(values[node.id])
        if node.op == "constant" or value.dtype.kind != "f":
            continue
        checked.append(node.name)
        flat = np.asarray(grads.get(node.id, np.zeros_like(value)), np.float64).reshape(-1)
        downstream = _downstream(nodes, node.id)
        elements = np.arange(value.size)
        if max_elements is not None and value.size > max_elements:
            elements = rng.choice(value.size, max_elements, replace=False)
        numeric = np.zeros(value.size)
        for e in elements:
            numeric[e] = _difference(nodes, values, saved, downstream, node.id, output, e, eps)
        wrong = np.zeros(value.size, bool)
        wrong[elements] = np.abs(flat[elements] - numeric[elements]) > (
            atol + rtol * np.abs(numeric[elements]))
        if wrong.any():
            worst = int(np.argmax(np.abs(flat - numeric) * wrong))
            index = tuple(int(i) for i in np.unravel_index(worst, value.shape))
            mismatches.append(Mismatch(node, _input_shapes(node, values), index,
                                       float(flat[worst]), float(numeric[worst]), int(wrong.sum())))
            bad.add(node.id)
    report = GradientReport(nodes[output].name, checked, mismatches, _suspect(nodes, values, bad))
    if raise_error and not report.ok:
        raise GradientCheckError(str(report))
    return report


def _forward64(nodes):
    """Values (and what ops save) of every node, recomputed in float64."""
    values, saved = [], []
    for n in nodes:
        y, s = (_up(n.raw), None) if n.is_leaf else _run(n, [values[i] for i in n.inputs])
        values.append(y)
        saved.append(s)
    return values, saved


def _up(x):
    """Floating-point arrays as float64; Python scalars stay weak, other dtypes stay."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.astype(np.float64)
    if isinstance(x, np.generic) and np.asarray(x).dtype.kind == "f":
        return np.float64(x)
    return x


def _run(node, xs):
    """(value, saved) of one op node on float64 inputs."""
    fn = node.fn
    if fn.bind is not None:  # state-touching graph ops: keep the value the session gave
        return _up(np.asarray(node.value)), node.saved
    if node.op == "dropout":  # keep the trace's random mask, so the function stays fixed
        mask = np.asarray(node.saved, np.float64)
        return xs[0] * mask, mask
    if node.op == "cast" and np.dtype(fn.to).kind == "f":
        return np.asarray(xs[0], np.float64), None
    out = fn.forward(*xs)
    y, s = out if fn.saves else (out, None)
    return np.asarray(y), s


def _downstream(nodes, start):
    """Op nodes whose value depends on node `start`, in forward order."""
    reached = {start}
    for n in nodes[start + 1:]:
        if not n.is_leaf and any(i in reached for i in n.inputs):
            reached.add(n.id)
    return sorted(reached - {start})


def _difference(nodes, values, saved, downstream, k, output, element, eps):
    """(y(x + eps) - y(x - eps)) / 2 eps for one element of node k."""
    results = []
    for sign in (1, -1):
        current = list(values)
        nudged = np.array(values[k], np.float64)
        nudged.reshape(-1)[element] += sign * eps
        current[k] = nudged
        for j in downstream:
            current[j] = _run(nodes[j], [current[i] for i in nodes[j].inputs])[0]
        results.append(float(np.sum(current[output])))
    return (results[0] - results[1]) / (2 * eps)


def _suspect(nodes, values, bad):
    """The first op whose own gradient agrees but which sends a wrong one to an input."""
    for n in nodes:
        if n.is_leaf or n.id in bad:
            continue
        for i in n.inputs:
            if i in bad:
                return n.name, n.op, _input_shapes(n, values), nodes[i].name
    return None


def _input_shapes(node, values):
    return [tuple(np.shape(values[i])) for i in node.inputs]
