"""Choosing a CNN's hyperparameters with scikit-learn's GridSearchCV, as Keras' mnist_sklearn_wrapper.py.

Only the imports changed: `keras` became `passos.keras`, and the data is Fashion-MNIST.
KerasClassifier wraps a function that builds and compiles a model, so that scikit-learn can
train one model per setting and fold (cross-validation) and keep the best. The labels stay
integers: KerasClassifier one-hot encodes them for categorical_crossentropy, and scikit-learn's
log-loss scorer wants them as classes. Needs scikit-learn. Run with `--quick` for a few hundred
images, a smaller grid and one or two epochs.
"""
import argparse

from sklearn.model_selection import GridSearchCV

from passos.keras.datasets import fashion_mnist
from passos.keras.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from passos.keras.models import Sequential
from passos.keras.utils import np_utils
from passos.keras.wrappers.scikit_learn import KerasClassifier

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='a few hundred images, a smaller grid')
args = parser.parse_args()

num_classes = 10

# input image dimensions
img_rows, img_cols = 28, 28

# load training data and do basic data normalization
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
if args.quick:
    (x_train, y_train), (x_test, y_test) = (x_train[:300], y_train[:300]), (x_test[:100], y_test[:100])
x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
input_shape = (img_rows, img_cols, 1)

x_train = x_train.astype('float32')
x_test = x_test.astype('float32')
x_train /= 255
x_test /= 255


def make_model(dense_layer_sizes, filters, kernel_size, pool_size):
    """Creates model comprised of 2 convolutional layers followed by dense layers

    dense_layer_sizes: List of layer sizes.
        This list has one number for each layer
    filters: Number of convolutional filters in each convolutional layer
    kernel_size: Convolutional kernel size
    pool_size: Size of pooling area for max pooling
    """
    model = Sequential()
    model.add(Conv2D(filters, kernel_size, padding='valid', input_shape=input_shape))
    model.add(Activation('relu'))
    model.add(Conv2D(filters, kernel_size))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=pool_size))
    model.add(Dropout(0.25))

    model.add(Flatten())
    for layer_size in dense_layer_sizes:
        model.add(Dense(layer_size))
        model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation('softmax'))

    model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])

    return model


dense_size_candidates = [[32], [64]] if args.quick else [[32], [64], [32, 32], [64, 64]]
my_classifier = KerasClassifier(make_model, batch_size=32, verbose=0)
validator = GridSearchCV(my_classifier,
                         param_grid={'dense_layer_sizes': dense_size_candidates,
                                     # epochs is avail for tuning even when not
                                     # an argument to model building function
                                     'epochs': [1, 2] if args.quick else [3, 6],
                                     'filters': [8],
                                     'kernel_size': [3],
                                     'pool_size': [2]},
                         scoring='neg_log_loss',
                         cv=3,
                         n_jobs=1)
validator.fit(x_train, y_train)

print('The parameters of the best model are: ')
print(validator.best_params_)
for params, score in zip(validator.cv_results_['params'], validator.cv_results_['mean_test_score']):
    print('mean log loss %.4f with %s' % (-score, params))

# validator.best_estimator_ returns sklearn-wrapped version of best model.
# validator.best_estimator_.model returns the (unwrapped) keras model
best_model = validator.best_estimator_.model
metric_names = best_model.metrics_names
metric_values = best_model.evaluate(x_test, np_utils.to_categorical(y_test, num_classes), verbose=0)
for metric, value in zip(metric_names, metric_values):
    print(metric, ': ', value)
print('Test accuracy:', validator.best_estimator_.score(x_test, y_test))
