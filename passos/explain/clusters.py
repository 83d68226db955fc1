"""Name-scope clusters for the layered layout: bands per layer, boxes, and pushing siblings apart."""
from collections import defaultdict


def cluster_spans(n, scopes, layer):
    """{cluster path: (first layer, last layer)} over the real nodes inside it."""
    spans = {}
    for v in range(n):
        for d in range(1, len(scopes[v]) + 1):
            path = scopes[v][:d]
            lo, hi = spans.get(path, (layer[v], layer[v]))
            spans[path] = (min(lo, layer[v]), max(hi, layer[v]))
    return spans


def layer_positions(rows, thick, n, scopes, layer, pads, gap):
    """Start of each layer band along the layer axis, leaving room for cluster borders."""
    spans = cluster_spans(n, scopes, layer)
    ends, starts = defaultdict(int), defaultdict(int)
    for path, (lo, hi) in spans.items():
        nested = [spans[path[:d]] for d in range(1, len(path) + 1)]
        ends[hi] = max(ends[hi], sum(1 for span in nested if span[1] == hi))
        starts[lo] = max(starts[lo], sum(1 for span in nested if span[0] == lo))
    layer_thick = [max([thick[v] for v in row], default=0.0) for row in rows]
    positions, at = [], 0.0
    for k, t in enumerate(layer_thick):
        at += starts[k] * pads["layer_start"]
        positions.append(at)
        at += t + ends[k] * pads["layer_end"] + gap
    return positions, layer_thick


def cluster_boxes(n, scopes, layer, cross, breadth, thick, layer_pos, pads):
    """{path: [layer_lo, cross_lo, layer_hi, cross_hi]} in abstract coordinates."""
    boxes = {}
    for v in range(n):
        box = node_box(v, layer, cross, breadth, thick, layer_pos)
        depth = len(scopes[v])
        for d in range(depth, 0, -1):
            levels = depth - d + 1
            grown = [box[0] - levels * pads["layer_start"], box[1] - levels * pads["cross_start"],
                     box[2] + levels * pads["layer_end"], box[3] + levels * pads["cross_end"]]
            old = boxes.setdefault(scopes[v][:d], grown)
            old[:] = [*map(min, old[:2], grown[:2]), *map(max, old[2:], grown[2:])]
    return boxes


def node_box(v, layer, cross, breadth, thick, layer_pos):
    """[layer_lo, cross_lo, layer_hi, cross_hi] of node v in abstract coordinates."""
    lo_l = layer_pos[layer[v]]
    return [lo_l, cross[v] - breadth[v] / 2, lo_l + thick[v], cross[v] + breadth[v] / 2]


def consistent(rows, scope_of, n):
    """Sort keys that order sibling clusters and nodes alike in every layer (re-sorting rows).

    A cluster's key is the mean relative position of its nodes; a vertex's key is the tuple of
    its clusters' keys, outermost first, then its own position. So if cluster A comes before
    node X in one layer, it does in all of them, and pushing clusters apart never undoes an order.
    """
    pos = {v: (i + 0.5) / len(row) for row in rows for i, v in enumerate(row)}
    sums = defaultdict(lambda: [0.0, 0])
    for v in range(n):
        for d in range(1, len(scope_of[v]) + 1):
            entry = sums[scope_of[v][:d]]
            entry[0] += pos[v]
            entry[1] += 1
    mean = {path: total / count for path, (total, count) in sums.items()}
    keys = {}
    for v, p in pos.items():
        scope = scope_of[v]
        # a dummy's scope may hold no real node of its own: fall back to its position
        # (value, kind, name): equal means never merge two clusters, or a cluster and a node
        keys[v] = tuple((mean.get(scope[:d], p), 1, scope[:d]) for d in range(1, len(scope) + 1))
        keys[v] += ((p, 0, (v,)),)
    for row in rows:
        row.sort(key=lambda v: keys[v])
    return keys


def separate_clusters(cross, keys, scope_of, n, layer, breadth, thick, layer_pos, pads, gap):
    """Push sibling items (clusters, or a node beside a cluster) apart where their boxes overlap.

    `gap`: the room wanted between neighbouring boxes (half of it between siblings). Innermost
    clusters first; within a parent, items in key order; an item that overlaps an earlier one
    moves right together with everything after it.
    """
    for parent in sorted({s[:d] for s in scope_of[:n] for d in range(len(s))}, key=len, reverse=True):
        d = len(parent)
        inside = [v for v in cross if scope_of[v][:d] == parent]
        boxes = cluster_boxes(n, scope_of[:n], layer, cross, breadth, thick, layer_pos, pads)
        items = {}  # key at this level -> [box, is cluster]
        for v in inside:
            key = keys[v][d]
            if v < n and len(scope_of[v]) == d:
                items[key] = [node_box(v, layer, cross, breadth, thick, layer_pos), False]
            elif v < n and key not in items:
                items[key] = [list(boxes[scope_of[v][:d + 1]]), True]
        order = sorted(items)
        if not any(items[k][1] for k in order):
            continue
        done = []
        for i, key in enumerate(order):
            box, cluster = items[key]
            need = max([b[3] + gap / 2 - box[1] for b, c in done
                        if (c or cluster) and b[0] < box[2] and box[0] < b[2]], default=0.0)
            if need > 0:
                for v in inside:
                    if keys[v][d] >= key:
                        cross[v] += need
                for later in order[i:]:
                    items[later][0][1] += need
                    items[later][0][3] += need
            done.append((box, cluster))
