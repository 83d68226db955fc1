"""A DNNClassifier on Fashion-MNIST with TensorFlow 1's tf.estimator.

Only the import changed: `import tensorflow as tf` became `import passos.compat.v1 as tf`.
Each epoch is one `train` call: the Estimator saves a checkpoint in model_dir at its end and
the next call restores it (the weights and Adam's slots), so training continues (see
global_step) as in TensorFlow. It also writes TensorBoard events there, as TF1's does: the
training loss, and each evaluation's metrics in model_dir/eval (`tensorboard --logdir DIR`).
Run with `--quick` for a subset of the data.
"""
import argparse
import tempfile

import numpy as np

import passos.compat.v1 as tf
from passos.keras.datasets import fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="2,000 training images, 500 test")
parser.add_argument("--model-dir", default=None, help="where the checkpoints go (default: a "
                    "new temporary folder)")
args = parser.parse_args()
EPOCHS, BATCH_SIZE = 2, 128

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
if args.quick:
    x_train, y_train, x_test, y_test = x_train[:2000], y_train[:2000], x_test[:500], y_test[:500]
x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
y_train, y_test = y_train.astype('int64'), y_test.astype('int64')

tf.logging.set_verbosity(tf.logging.INFO)

# 1. The model: 784 pixels -> 128 relu -> 64 relu -> 10 classes, trained with Adam.
model_dir = args.model_dir or tempfile.mkdtemp()
classifier = tf.estimator.DNNClassifier(
    hidden_units=[128, 64],
    feature_columns=[tf.feature_column.numeric_column('pixels', shape=(784,))],
    n_classes=10,
    optimizer=tf.train.AdamOptimizer(1e-3),
    model_dir=model_dir,
    config=tf.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=100))

# 2. The data, as input functions.
train_input_fn = tf.estimator.inputs.numpy_input_fn(
    {'pixels': x_train}, y_train, batch_size=BATCH_SIZE, num_epochs=1, shuffle=True)
test_input_fn = tf.estimator.inputs.numpy_input_fn(
    {'pixels': x_test}, y_test, batch_size=1000, num_epochs=1, shuffle=False)

# 3. One train call per epoch (each resumes from the last checkpoint), then evaluate.
for epoch in range(EPOCHS):
    classifier.train(train_input_fn)
    results = classifier.evaluate(test_input_fn)
    print(f"Epoch {epoch + 1}/{EPOCHS} - global_step: {results['global_step']} - "
          f"loss: {results['average_loss']:.4f} - accuracy: {results['accuracy']:.4f}")
print('Test accuracy:', round(results['accuracy'], 4))

# 4. Predictions, one dict per image.
first = next(classifier.predict(tf.estimator.inputs.numpy_input_fn(
    {'pixels': x_test[:1]}, shuffle=False)))
print('First test image: class', int(first['class_ids'][0]), 'with probability',
      round(float(np.max(first['probabilities'])), 3), '- label', int(y_test[0]))
print('TensorBoard: tensorboard --logdir', model_dir)
