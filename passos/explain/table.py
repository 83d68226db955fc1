"""A Trace as a table: the forward pass, then the backward pass, then the gradients.

`trace_table` gives text for a terminal, `trace_table_html` the same rows as HTML tables for a
notebook (`Trace._repr_html_`); both come from `sections`.
"""
from html import escape

from .values import fmt_value


def _rows(header, rows, indent="  "):
    """Rows of strings in left-aligned columns (the last column is not padded)."""
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header) - 1)]
    return [(indent + "  ".join([c.ljust(w) for c, w in zip(r, widths)] + [r[-1]])).rstrip()
            for r in [header] + rows]


def sections(t, digits=4):
    """[(caption lines, header, rows)]: forward steps (formula, value), backward steps (local
    derivative, contribution, sum), then the leaves' gradients; every cell a str."""
    nodes = t.nodes
    out = nodes[t.output].name
    show = lambda v: fmt_value(v, digits)  # noqa: E731
    forward = [[str(k + 1), nodes[s.node].name, nodes[s.node].op, s.formula, show(s.value)]
               for k, s in enumerate(t.forward)]
    parts = [([f"Forward pass: every value that {out} is computed from, in order"],
              ["#", "node", "op", "formula", "value"], forward)]
    rows = []
    for s in t.backward:
        for k, c in enumerate(s.contributions):
            so_far = show(c.accumulated)
            if c.arrivals > 1:
                so_far += f"  (sum of {c.arrivals} contributions)"
            rows.append([nodes[s.node].name if k == 0 else "", show(s.incoming) if k == 0 else "",
                         nodes[c.input].name, c.local, "-" if c.local_value is None else show(c.local_value),
                         show(c.contribution), so_far])
    parts.append(([f"Backward pass: ∂{out}/∂node from {out} back to the parameters; each op's vjp "
                   "gives every input its share,",
                   "and where a value feeds several ops the shares are summed (the chain rule over "
                   "all paths)"],
                  ["node", f"∂{out}/∂node", "→ input", "local derivative", "local value",
                   "contribution", f"∂{out}/∂input so far"], rows))
    grads = [n for n in nodes if n.is_leaf and n.grad is not None]
    if grads:
        parts.append((["Gradients at the leaves"], ["node", f"∂{out}/∂node"],
                      [[n.name, show(n.grad)] for n in grads]))
    return parts


def trace_table(t, digits=4):
    """The sections as text: each caption, then its rows in aligned columns."""
    lines = []
    for k, (caption, header, rows) in enumerate(sections(t, digits)):
        lines += ([""] if k else []) + caption + _rows(header, rows)
    return "\n".join(lines)


def trace_table_html(t, digits=4):
    """The sections as HTML tables, captions above, numbers in monospace as in the text."""
    cell = "padding: 1px 8px; text-align: left; font-family: monospace; white-space: pre"
    parts = []
    for caption, header, rows in sections(t, digits):
        head = "".join(f'<th style="{cell}">{escape(h)}</th>' for h in header)
        body = "".join("<tr>" + "".join(f'<td style="{cell}">{escape(c)}</td>' for c in row) + "</tr>"
                       for row in rows)
        parts.append(f"<p>{escape(' '.join(caption))}</p><table><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    return f'<div class="passos-trace">{"".join(parts)}</div>'
