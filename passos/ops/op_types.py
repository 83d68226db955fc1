"""TensorFlow's op type names for passos op kinds: what TensorBoard and TF1's `op.type` show.

A kind TensorFlow names differently is in `TF_TYPES`; any other is written in CamelCase.

>>> [op_type(k) for k in ("multiply", "matmul", "max_pool2d", "reduce_prod")]
['Mul', 'MatMul', 'MaxPool2D', 'ReduceProd']
"""
import re

TF_TYPES = {
    "add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "RealDiv", "negative": "Neg",
    "power": "Pow", "sum": "Sum", "mean": "Mean", "matmul": "MatMul", "const": "Const",
    "placeholder": "Placeholder", "placeholder_with_default": "PlaceholderWithDefault",
    "variable": "VariableV2", "group": "NoOp", "getitem": "StridedSlice", "stack": "Pack",
    "concatenate": "ConcatV2", "where": "Select", "clip": "ClipByValue", "gather": "GatherV2",
    "broadcast_to": "BroadcastTo", "log_softmax": "LogSoftmax",
    "softmax_cross_entropy": "SoftmaxCrossEntropyWithLogits",
    "sparse_softmax_cross_entropy": "SparseSoftmaxCrossEntropyWithLogits",
}


def op_type(kind):
    """TensorFlow-style op type for a passos op kind: multiply -> Mul, max_pool2d -> MaxPool2D."""
    if kind in TF_TYPES:
        return TF_TYPES[kind]
    camel = "".join(part[:1].upper() + part[1:] for part in kind.split("_"))
    return re.sub(r"(\d)d$", r"\1D", camel)
