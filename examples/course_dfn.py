"""The course's deep feedforward network on Fashion-MNIST, as written for Keras 2.

Only the imports changed: `keras` became `passos.keras`.
"""
from passos.keras.datasets import fashion_mnist
from passos.keras.layers import Dense
from passos.keras.models import Sequential
from passos.keras.utils import np_utils

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
y_train = np_utils.to_categorical(y_train, 10)
y_test = np_utils.to_categorical(y_test, 10)

model = Sequential()
model.add(Dense(128, activation='relu', input_shape=(784,)))
model.add(Dense(128, activation='relu'))
model.add(Dense(128, activation='relu'))
model.add(Dense(10, activation='softmax'))
model.summary()

model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.2, verbose=1)

score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
predictions = model.predict(x_test)
print('First prediction:', predictions[0].argmax(), 'true:', y_test[0].argmax())
