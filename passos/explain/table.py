"""A Trace as a text table: the forward pass, then the backward pass, then the gradients."""
from .values import fmt_value


def _rows(header, rows, indent="  "):
    """Rows of strings in left-aligned columns (the last column is not padded)."""
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header) - 1)]
    return [(indent + "  ".join([c.ljust(w) for c, w in zip(r, widths)] + [r[-1]])).rstrip()
            for r in [header] + rows]


def trace_table(t, digits=4):
    """Forward steps (formula, value), backward steps (local derivative, contribution, sum)."""
    nodes = t.nodes
    out = nodes[t.output].name
    show = lambda v: fmt_value(v, digits)  # noqa: E731
    lines = [f"Forward pass: every value that {out} is computed from, in order"]
    rows = [[str(k + 1), nodes[s.node].name, nodes[s.node].op, s.formula, show(s.value)]
            for k, s in enumerate(t.forward)]
    lines += _rows(["#", "node", "op", "formula", "value"], rows)
    lines += ["", f"Backward pass: ∂{out}/∂node from {out} back to the parameters; each op's vjp gives "
                  "every input its share,",
              "and where a value feeds several ops the shares are summed (the chain rule over all paths)"]
    rows = []
    for s in t.backward:
        for k, c in enumerate(s.contributions):
            so_far = show(c.accumulated)
            if c.arrivals > 1:
                so_far += f"  (sum of {c.arrivals} contributions)"
            rows.append([nodes[s.node].name if k == 0 else "", show(s.incoming) if k == 0 else "",
                         nodes[c.input].name, c.local, "-" if c.local_value is None else show(c.local_value),
                         show(c.contribution), so_far])
    lines += _rows(["node", f"∂{out}/∂node", "→ input", "local derivative", "local value",
                    "contribution", f"∂{out}/∂input so far"], rows)
    grads = [n for n in nodes if n.is_leaf and n.grad is not None]
    if grads:
        lines += ["", "Gradients at the leaves"]
        lines += _rows(["node", f"∂{out}/∂node"], [[n.name, show(n.grad)] for n in grads])
    return "\n".join(lines)
