"""The TensorBoard files an Estimator writes, as TF1's does: when training starts, the graph as
text in model_dir/graph.pbtxt; while training, into model_dir's events, the graph, every summary of the model_fn (with a scalar 'loss' added when it has none) every
save_summary_steps steps and 'global_step/sec' every log_step_count_steps; after evaluating,
into model_dir/eval, each metric at the global step.

Writing needs the optional tensorboard package; without it the Estimator trains and evaluates
as usual and logs once that it writes no summaries (nor graph.pbtxt).
"""
import os
import time

from .. import summary
from ..graph_io import as_graph_def, write_graph
from ..tf_logging import logger

_EXTRA = "pip install 'passos[tensorboard]'"
_warned = []  # the warning about the missing package, given once per process


def _tensorboard(who):
    """The passos.tensorboard module, or None without the package (said once per process)."""
    try:
        import passos.tensorboard as tensorboard
    except ImportError:
        if not _warned:
            _warned.append(True)
            logger.warning("Estimator.%s: no TensorBoard summaries are written, as the "
                           "tensorboard package is missing (%s)", who, _EXTRA)
        return None
    return tensorboard


def _writer(logdir, who):
    """A passos.tensorboard SummaryWriter on `logdir`, or None without the package."""
    tensorboard = _tensorboard(who)
    return tensorboard and tensorboard.SummaryWriter(logdir)


def write_graph_text(graph, model_dir):
    """Write model_dir/graph.pbtxt, `graph` with its shapes, as TF1's CheckpointSaverHook does
    when each train() starts; its path, or None without the tensorboard package."""
    if _tensorboard("train") is None:
        return None
    return write_graph(as_graph_def(graph, add_shapes=True), model_dir, "graph.pbtxt")


class TrainSummaries:
    """The summaries of one train() call: made in its graph, written as its steps run."""

    def __init__(self, graph, loss, config):
        self.every, self.rate_every = config.save_summary_steps, config.log_step_count_steps
        self.writer = self.merged = None
        self.last = self.started = self.rate_from = None
        if not (self.every or self.rate_every):
            return
        self.writer = _writer(config.model_dir, "train")
        if self.writer is None:
            return
        # as TF1: a 'loss' scalar unless the model_fn made a summary of that name
        with graph.as_default():
            if not any(node.node_name == "loss" for node in summary.summary_collection(graph)):
                summary.scalar("loss", loss)
            self.merged = summary.merge_all() if self.every else None
        self.writer.add_graph(graph)

    def fetch(self, next_step):
        """The merged summary op when the step about to reach `next_step` should write it."""
        if self.merged is None:
            return None
        due = self.last is None or next_step >= self.last + self.every
        return self.merged if due else None

    def after_step(self, step, found):
        """Write the step's fetched summary (None when not fetched) and the step rate."""
        if self.writer is None:
            return
        if self.started is None:  # TensorBoard drops older events from this step on
            from tensorboard.compat.proto.event_pb2 import Event, SessionLog
            self.started = step
            self.writer.add_event(Event(wall_time=time.time(), step=step,
                                        session_log=SessionLog(status=SessionLog.START)))
        if found is not None:
            self.writer.add_summary(found, step)
            self.last = step
        if self.rate_every:
            now = time.monotonic()
            if self.rate_from is None:
                self.rate_from = (step, now)
            elif step >= self.rate_from[0] + self.rate_every:
                rate = (step - self.rate_from[0]) / max(now - self.rate_from[1], 1e-9)
                logger.info("global_step/sec: %g", rate)
                self.writer.add_scalar("global_step/sec", rate, step)
                self.rate_from = (step, now)

    def close(self):
        if self.writer is not None:
            self.writer.close()


def write_eval(model_dir, name, results):
    """Each number of `results` as a scalar at results['global_step'], in model_dir/eval (or
    eval_<name>)."""
    writer = _writer(os.path.join(model_dir, "eval" if not name else f"eval_{name}"), "evaluate")
    if writer is None:
        return
    with writer:
        for key, value in sorted(results.items()):
            if key != "global_step":
                writer.add_scalar(key, value, results["global_step"])
