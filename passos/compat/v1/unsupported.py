"""Names TensorFlow 1.15 has and passos.compat.v1 does not: the table, served by
passos.unsupported_names.

The package and its modules (tf.nn, tf.train, tf.layers, tf.contrib, tf.data, tf.summary,
tf.metrics, tf.losses, tf.io, tf.gfile, tf.errors) end with `__getattr__ = module_getattr(__name__)`
(PEP 562), so `tf.train.string_input_producer` raises an AttributeError saying what to use
instead, and a misspelt name suggests close ones. When passos gains one of these names, delete
its line here (tests/compat/test_v1_unsupported.py fails until you do).
"""
from ...unsupported_names import MissingNames

_QUEUES = ("queues and queue runners are not provided; use tf.data: "
           "Dataset.from_tensor_slices(arrays).shuffle(n).batch(size)")
_TEXT_FILES = ("passos has no string tensors; read the files in Python (numpy.loadtxt or "
               "csv for CSV lines, tf.gfile.Glob for a pattern) and use "
               "tf.data.Dataset.from_tensor_slices on the arrays")
_TFRECORDS = ("TFRecord files are not read by passos; save the arrays with numpy.save and use "
              "tf.data.Dataset.from_tensor_slices(numpy.load(path))")
_PY_FUNC = "use tf.py_func (or tf.numpy_function): its function gets NumPy arrays"
_PRINT = "use tf.Print(input_, data, message), or fetch the tensor and print its value"
_SPARSE = ("passos tensors are dense; feed dense arrays (scipy.sparse's .toarray()), and use "
           "tf.nn.embedding_lookup or tf.one_hot for indices")
_LOOP = ("run the training loop yourself in a tf.Session, with tf.train.Saver for checkpoints "
         "and tf.summary.FileWriter for summaries")
_ONE_DEVICE = "passos runs in one process on the CPU; build and run the graph directly"
_DECAY = ("compute the rate in Python and feed it through a placeholder, or use "
          "tf.train.exponential_decay / inverse_time_decay")
_EAGER = ("passos.compat.v1 builds graphs run by a tf.Session, TF1's default; for define-by-run "
          "code use passos' eager API (passos.tensor(..., requires_grad=True), loss.backward())")
_NO_TF_GRAPHS = ("passos cannot load TensorFlow's graph files; build the graph in code and "
                 "restore the variables with tf.train.Saver().restore(sess, path)")

# {module under passos.compat.v1 ("" for tf itself): {TensorFlow 1.15 name: what to do}}
MISSING = {
    "": {
        "py_function": _PY_FUNC, "print": _PRINT,
        "test": "write tests with pytest (or unittest) and numpy.testing",
        "SparseTensor": _SPARSE, "SparseTensorValue": _SPARSE, "sparse": _SPARSE,
        "sparse_placeholder": _SPARSE, "sparse_tensor_to_dense": _SPARSE, "sparse_to_dense": _SPARSE,
        "TFRecordReader": _TFRECORDS, "TextLineReader": _TEXT_FILES, "decode_csv": _TEXT_FILES,
        "FixedLengthRecordReader": "read the file with numpy.fromfile and use "
                                   "tf.data.Dataset.from_tensor_slices",
        "WholeFileReader": _QUEUES, "FIFOQueue": _QUEUES, "RandomShuffleQueue": _QUEUES,
        "PaddingFIFOQueue": _QUEUES, "QueueRunner": _QUEUES,
        "python_io": _TFRECORDS, "TFRecordWriter": _TFRECORDS, "parse_example": _TFRECORDS,
        "parse_single_example": _TFRECORDS, "FixedLenFeature": _TFRECORDS,
        "VarLenFeature": _TFRECORDS,
        "distribute": _ONE_DEVICE,
        "lite": "there is no TFLite converter; save the variables with tf.train.Saver",
        "saved_model": "save checkpoints with tf.train.Saver and rebuild the graph in code to "
                       "restore them",
        "import_graph_def": _NO_TF_GRAPHS, "graph_util": _NO_TF_GRAPHS,
        "map_fn": "apply the ops to the whole batch at once (they broadcast), or use tf.while_loop",
        "scan": "use tf.while_loop with the running value as a loop variable",
        "TensorArray": "use tf.while_loop with loop variables, or tf.stack a Python list of tensors",
        "make_template": "share variables with tf.variable_scope(name, reuse=tf.AUTO_REUSE)",
        "enable_eager_execution": _EAGER, "enable_v2_behavior": _EAGER,
    },
    "train": {
        "string_input_producer": _QUEUES, "input_producer": _QUEUES, "batch": _QUEUES,
        "shuffle_batch": _QUEUES, "start_queue_runners": _QUEUES, "Coordinator": _QUEUES,
        "QueueRunner": _QUEUES,
        "MonitoredTrainingSession": _LOOP, "MonitoredSession": _LOOP, "Supervisor": _LOOP,
        "SessionRunHook": _LOOP, "LoggingTensorHook": _LOOP, "StopAtStepHook": _LOOP,
        "CheckpointSaverHook": _LOOP, "Scaffold": _LOOP,
        "Example": _TFRECORDS, "Features": _TFRECORDS, "Feature": _TFRECORDS,
        "piecewise_constant": _DECAY, "polynomial_decay": _DECAY, "natural_exp_decay": _DECAY,
        "cosine_decay": _DECAY,
        "SyncReplicasOptimizer": _ONE_DEVICE, "Server": _ONE_DEVICE, "ClusterSpec": _ONE_DEVICE,
        "replica_device_setter": _ONE_DEVICE,
    },
    "nn": {
        "ctc_loss": "CTC is not provided; passos has no sequence-alignment losses",
        "fused_batch_norm": "use tf.nn.batch_normalization with the statistics of tf.nn.moments",
        "depthwise_conv2d": "use tf.nn.conv2d (a full convolution)",
        "separable_conv2d": "use tf.nn.conv2d (a full convolution)",
    },
    "layers": {
        "separable_conv2d": "use tf.layers.conv2d (a full convolution)",
        "SeparableConv2D": "use tf.layers.Conv2D (a full convolution)",
    },
    "contrib": {
        "slim": "use tf.layers (dense, conv2d, max_pooling2d, batch_normalization) and "
                "tf.contrib.layers.fully_connected",
        "learn": "use tf.layers with a Session training loop, or a passos.keras model",
        "seq2seq": "passos has no seq2seq helpers; build encoder and decoder from "
                   "passos.keras.layers.LSTM or GRU",
        "distributions": "write the log-density with tf ops (tf.log, tf.square ...)",
        "eager": _EAGER,
        "factorization": "passos has no KMeans estimator; write the assignment and update steps "
                         "with tf ops (tf.argmin of the distances, tf.unsorted_segment_sum)",
        "tensor_forest": "passos has no decision forests; use scikit-learn's RandomForestClassifier",
        "boosted_trees": "passos has no boosted trees; use scikit-learn's "
                         "GradientBoostingClassifier",
    },
    "data": {
        "TFRecordDataset": _TFRECORDS, "TextLineDataset": _TEXT_FILES,
        "FixedLengthRecordDataset": "read the file with numpy.fromfile and use "
                                    "tf.data.Dataset.from_tensor_slices",
    },
    "summary": {
        "audio": "passos writes scalar, histogram and image summaries; save audio files yourself",
        "text": "passos writes scalar, histogram and image summaries; log text to a file",
    },
    "metrics": {
        "mean_iou": "compute it in NumPy from the predictions fetched with sess.run",
    },
    "losses": {
        "cosine_distance": "use 1 - tf.reduce_sum(tf.nn.l2_normalize(labels, axis) * "
                           "tf.nn.l2_normalize(predictions, axis), axis)",
    },
}

_NAMES = MissingNames("passos.compat.v1", "TensorFlow 1.15", MISSING)
_NAMES.install()  # `from tensorflow.contrib.slim import ...` gets the advice too
error, module_getattr = _NAMES.error, _NAMES.module_getattr
