"""Fusion as a rewrite pass: a plan's chains of primitives swapped for the fused ops.

When a Plan is compiled, `fuse` looks in its nodes for the chains in
PATTERNS (a product or convolution, its bias, its ReLU, 2x2 max pooling)
and replaces each by one node of a fused op, the chain's gradient nodes by
one gradient node of that op. The same numbers in fewer, faster calls, for
Keras and TF1 graphs alike. The new nodes belong to the plan alone: the
graph as written (what explain, TensorBoard and fetches see) is unchanged.

A chain is fused only when nothing else needs its insides: its
intermediate values feed only the next link and the chain's own gradient
nodes (none is fetched or fed), and each intermediate gradient feeds only
the next gradient node. Anything else runs as written.
"""
from ..ops.conv import Conv
from ..ops.conv_pool import ConvPool
from ..ops.dense import Dense
from ..ops.pool import MaxPool
from .gradients import VjpOp
from .graph import Symbol
from .sources import OutputOf, SavedOf


# -- the links of a chain: predicates on a node and the link before it --------------------------
def _shape(x):
    return x.shape if isinstance(x, Symbol) else getattr(x, "shape", None)


def _is_matmul(node):
    """x @ W with x of rank >= 2 and W a matrix: what Dense computes."""
    if node.primitive.kind != "matmul":
        return False
    x, W = (_shape(i) for i in node.inputs)
    return x is not None and len(x) >= 2 and W is not None and len(W) == 2


def _is_conv(node):
    return isinstance(node.primitive, Conv) and node.primitive.activation is None and len(node.inputs) == 2


def _is_block_conv(node):
    """A convolution ConvPool runs: 2-D, stride 1, no dilation, channels_last, even output."""
    op, shape = node.primitive, node.shape
    return _is_conv(node) and op.rank == 2 and op.strides == (1, 1) and \
        op.dilation_rate == (1, 1) and op.data_format == "channels_last" and \
        op.padding in ("valid", "same") and shape is not None and \
        all(size is not None and size % 2 == 0 for size in shape[1:3])


def _bias(node, prev):
    """prev + b, b of shape (units,) along prev's last axis (the channels, for a convolution)."""
    if node.primitive.kind != "add" or prev.shape is None or node.shape != prev.shape or \
            node.dtype != prev.dtype:
        return False
    if isinstance(prev.primitive, Conv) and prev.primitive.data_format != "channels_last":
        return False
    (b,) = [x for x in node.inputs if x is not prev]
    return _shape(b) is not None and tuple(_shape(b)) == prev.shape[-1:] and \
        prev.shape[-1] is not None


def _relu(node, prev):
    return node.primitive.kind == "relu"


def _pool(node, prev):
    """2x2 max pooling, stride 2, channels_last; on even sizes "same" pads nothing."""
    op = node.primitive
    return isinstance(op, MaxPool) and op.rank == 2 and op.pool_size == (2, 2) and \
        op.strides == (2, 2) and op.data_format == "channels_last"


LINKS = {"bias": _bias, "relu": _relu, "pool": _pool}


# -- the fused ops, built from a matched chain ---------------------------------------------------
def _dense(chain):
    return Dense("relu" if chain[-1].primitive.kind == "relu" else None)


def _conv(chain):
    op = chain[0].primitive
    return Conv(op.rank, op.strides, op.padding, op.dilation_rate, op.data_format,
                activation="relu" if chain[-1].primitive.kind == "relu" else None)


def _conv_pool(chain):
    roots = [i for i, node in enumerate(chain) if isinstance(node.primitive, Conv)]
    return ConvPool(*(chain[i].primitive.padding for i in roots),
                    biases=[chain[i + 1].primitive.kind == "add" for i in roots])


class Pattern:
    """A root op, then one of `tails` (sequences of LINKS names); `repeat`: blocks in a row."""

    def __init__(self, root, tails, build, repeat=False):
        self.root, self.tails, self.build, self.repeat = root, tails, build, repeat


# Tried in order, longest tail first; the first chain that may be fused is.
PATTERNS = [
    Pattern(_is_block_conv, [("bias", "relu", "pool"), ("bias", "pool", "relu"),
                             ("relu", "pool"), ("pool", "relu")], _conv_pool, repeat=True),
    Pattern(_is_conv, [("bias", "relu"), ("bias",), ("relu",)], _conv),
    Pattern(_is_matmul, [("bias", "relu"), ("bias",)], _dense),
]


# -- the pass --------------------------------------------------------------------------------------
class _Uses:
    """Who reads what among a plan's nodes: consumers, gradient nodes, outputs, saved residuals."""

    def __init__(self, order, fetches, fed):
        self.fetched = {id(f) for f in fetches}
        self.fed = fed
        self.consumers, self.vjps, self.outputs, self.saved = {}, {}, {}, {}
        for node in order:
            if id(node) in fed:
                continue
            for x in node.inputs:
                if isinstance(x, Symbol):
                    self.consumers.setdefault(id(x), []).append(node)
            op = node.primitive
            if isinstance(op, VjpOp):
                forward = node.inputs[len(op.needs) + 1]
                self.vjps.setdefault(id(forward), []).append(node)
            elif isinstance(op, OutputOf):
                self.outputs.setdefault(id(node.inputs[0]), {})[op.offset] = node
            elif isinstance(op, SavedOf):
                self.saved.setdefault(id(node.inputs[0]), []).append(node)

    def grad_of(self, vjp, index):
        """The node holding the gradient `vjp` gives its op's input `index` (None if not run)."""
        if vjp.primitive.width == 1:
            return vjp if vjp.primitive.indices == [index] else None
        if index not in vjp.primitive.indices:
            return None
        return self.outputs.get(id(vjp), {}).get(vjp.primitive.indices.index(index))


def _positions(node, x):
    """Where `x` is among the inputs of `node` (by identity: == on symbols builds nodes)."""
    return [j for j, i in enumerate(node.inputs) if i is x]


def _position(node, x):
    return _positions(node, x)[0]


def _extend(chain, tail, uses):
    """`chain` followed by the links of `tail`, each the one forward reader of the last; or None."""
    for name in tail:
        prev = chain[-1]
        readers = [n for n in uses.consumers.get(id(prev), [])
                   if not isinstance(n.primitive, (VjpOp, SavedOf))]
        if len(readers) != 1 or len(_positions(readers[0], prev)) != 1 or \
                not LINKS[name](readers[0], prev):
            return None
        chain = chain + [readers[0]]
    return chain


def _match(root, uses):
    """(pattern, chain of nodes) for the longest fusable chain starting at `root`, or None."""
    for pattern in PATTERNS:
        if not pattern.root(root):
            continue
        best = None
        starts = [[root]]
        while starts:
            start, starts = starts[0], []
            for tail in pattern.tails:
                chain = _extend(start, tail, uses)
                if chain is not None and _plan_of(chain, uses) is not None:
                    best = chain
                    if pattern.repeat:  # the next block: a root reading this block's output
                        starts = [chain + [n] for n in uses.consumers.get(id(chain[-1]), [])
                                  if pattern.root(n) and n.inputs[0] is chain[-1]][:1]
                    break
        if best is not None:
            return pattern, best
    return None


def _externals(chain):
    """(link index, input index, input) of the chain's inputs from outside it, in chain order."""
    return [(i, j, x) for i, node in enumerate(chain) for j, x in enumerate(node.inputs)
            if i == 0 or x is not chain[i - 1]]


def _plan_of(chain, uses):
    """(gradient node per link, or None without gradients; ids of the nodes replaced), or None
    when the chain may not be fused."""
    vjps = [uses.vjps.get(id(node), []) for node in chain]
    if any(vjps) and any(len(v) != 1 for v in vjps):
        return None  # gradients of part of the chain only, or taken twice
    vjps = [v[0] for v in vjps] if any(vjps) else None
    # 1. what goes: the links, their saved residuals, gradient nodes and those nodes' outputs
    gone = {id(n): n for n in chain}
    gone.update((id(s), s) for n in chain for s in uses.saved.get(id(n), []))
    for vjp in vjps or ():
        gone[id(vjp)] = vjp
        gone.update((id(o), o) for o in uses.outputs.get(id(vjp), {}).values())
    # 2. what others may still read: the output, and the gradients of the chain's inputs
    kept = {id(chain[-1])}
    for i, (node, prev) in enumerate(zip(chain[1:], chain)):
        if vjps:  # the link's input gradient goes to the gradient node of the link before
            grad = uses.grad_of(vjps[i + 1], _position(node, prev))
            if grad is None or vjps[i].inputs[0] is not grad:
                return None
    for i, j, _ in _externals(chain) if vjps else ():
        grad = uses.grad_of(vjps[i], j) if vjps[i].primitive.needs[j] else None
        if grad is not None:
            kept.add(id(grad))
    # 3. nothing outside reads, fetches or feeds what goes
    for key, node in gone.items():
        if key in uses.fed or key in uses.fetched and key not in kept:
            return None
        if key not in kept and any(id(n) not in gone for n in uses.consumers.get(key, [])):
            return None
    return vjps, set(gone)


def _node(like, op, inputs, shape, dtype, name):
    """A node of the plan alone: not added to the graph; stands where `like` stood."""
    node = Symbol(like.graph, op, inputs, shape, dtype, name)
    node.index = like.index
    return node


def _origin(chain):
    """The Keras layers that made the chain's nodes, as one name ("conv2d, max_pooling2d")."""
    layers = []
    for node in chain:
        layer = node.graph.origin_of(node)[0]
        if layer is not None and layer not in layers:
            layers.append(layer)
    return ", ".join(layers) or None


def _replace(pattern, chain, vjps, uses):
    """What replaces `chain`: ({id(node): new nodes placed there}, {id(old): new}, origins)."""
    last = chain[-1]
    op = pattern.build(chain)
    # 1. the fused forward node, named as the chain's output, with its inputs in chain order
    externals = _externals(chain)
    inputs = [x for _, _, x in externals]
    fused = _node(last, op, inputs, last.shape, last.dtype, last.node_name)
    saved = (_node(last, SavedOf(), [fused], (), object, f"{last.node_name}/saved")
             if op.saves else None)
    placed, aliases = {id(last): [fused] + ([] if saved is None else [saved])}, {id(last): fused}
    layer = _origin(chain)
    origins = {id(fused): (layer, False)}
    if vjps is None:
        return placed, aliases, origins
    # 2. one gradient node for the chain's, reading the output gradient the chain's last one read
    needs = tuple(vjps[i].primitive.needs[j] for i, j, _ in externals)
    olds = [uses.grad_of(vjps[i], j) for (i, j, _), need in zip(externals, needs) if need]
    top = vjps[-1]
    grad_op = VjpOp(op, needs)
    single = olds[0] if grad_op.width == 1 else None
    grad = _node(top, grad_op, [top.inputs[0], *inputs, fused, saved],
                 single.shape if single is not None else (),
                 single.dtype if single is not None else object, top.node_name)
    placed[id(top)] = [grad]
    origins[id(grad)] = (layer, True)
    for k, old in enumerate(olds):
        if old is None:  # a gradient nothing in the plan reads
            continue
        new = grad if grad_op.width == 1 else _node(
            old, OutputOf(k, old.shape, old.dtype), [grad], old.shape, old.dtype, old.node_name)
        if new is not grad:
            placed[id(top)].append(new)
        aliases[id(old)] = new
    return placed, aliases, origins


def fuse(order, fetches, fed):
    """`order` (a plan's nodes) with fusable chains replaced.

    Returns (new order, {id(replaced node): node that now computes its value},
    {id(new node): (Keras layer names or None, whether it computes a gradient)}).
    """
    uses = _Uses(order, fetches, fed)
    placed, aliases, origins, dropped = {}, {}, {}, set()
    for node in order:
        if id(node) in dropped or id(node) in fed:
            continue
        found = _match(node, uses)
        if found is None:
            continue
        pattern, chain = found
        vjps, gone = _plan_of(chain, uses)
        if gone & dropped:
            continue
        new, alias, origin = _replace(pattern, chain, vjps, uses)
        placed.update(new)
        aliases.update(alias)
        origins.update(origin)
        dropped |= gone
    if not placed:
        return order, aliases, origins
    result = []
    for node in order:
        result.extend(placed.get(id(node), ()))
        if id(node) not in dropped:
            result.append(node)
    return result, aliases, origins
