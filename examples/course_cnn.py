"""The course's CNN on Fashion-MNIST (CONV -> POOL -> CONV -> POOL -> FC), as written for Keras 2.

Only the imports changed: `keras` became `passos.keras`.
"""
from passos.keras.datasets import fashion_mnist
from passos.keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from passos.keras.models import Sequential
from passos.keras.utils import np_utils

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = x_train.reshape(len(x_train), 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(len(x_test), 28, 28, 1).astype('float32') / 255
y_train = np_utils.to_categorical(y_train, 10)
y_test = np_utils.to_categorical(y_test, 10)

model = Sequential()
model.add(Conv2D(32, (3, 3), padding='same', activation='relu', input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Conv2D(32, (3, 3), padding='same', activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
model.summary()

model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.2, verbose=1)

score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
predictions = model.predict(x_test)
print('First prediction:', predictions[0].argmax(), 'true:', y_test[0].argmax())
