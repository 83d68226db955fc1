"""Sentiment classification with an LSTM (Embedding -> LSTM -> Dense sigmoid), as Keras' imdb_lstm.py.

Only the imports changed: `keras` became `passos.keras`. Instead of downloading IMDB, the reviews
come from a tiny deterministic generator: filler words with a few words of praise or complaint
(and now and then one of the other kind), so the model must find which words carry the sentiment.
Run with `--quick` for a few hundred reviews and one epoch.
"""
import argparse

import numpy as np

from passos.keras.layers import LSTM, Dense, Embedding
from passos.keras.models import Sequential
from passos.keras.preprocessing import sequence
from passos.keras.preprocessing.text import Tokenizer

POSITIVE = ("great good wonderful superb brilliant moving funny charming delightful enjoyable "
            "beautiful masterpiece excellent loved gripping").split()
NEGATIVE = ("bad awful boring terrible dull poor weak stupid wooden tedious mess "
            "disappointing waste hated clumsy").split()
FILLER = ("the a movie film plot actor actress scene story director it was and this of "
          "with but then camera music ending script cast part time end two hours").split()


def make_reviews(n, seed):
    """`n` (review text, label) pairs: label 1 reviews hold mostly POSITIVE words, 0 NEGATIVE ones."""
    rng = np.random.RandomState(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.randint(2)
        own, other = (POSITIVE, NEGATIVE) if label else (NEGATIVE, POSITIVE)
        words = list(rng.choice(FILLER, rng.randint(8, 20)))
        cues = list(rng.choice(own, rng.randint(2, 5))) + list(rng.choice(other, rng.randint(0, 2)))
        for word in cues:
            words.insert(rng.randint(len(words) + 1), word)
        texts.append(' '.join(words))
        labels.append(label)
    return texts, np.array(labels, dtype='float32')


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--quick', action='store_true', help='a few hundred reviews, one epoch')
args = parser.parse_args()

max_features = 1000
maxlen = 30
batch_size = 16
n_train, n_test, epochs = (800, 200, 2) if args.quick else (5000, 1000, 3)

print('Generating reviews...')
train_texts, y_train = make_reviews(n_train, seed=1)
test_texts, y_test = make_reviews(n_test, seed=2)
tokenizer = Tokenizer(num_words=max_features)
tokenizer.fit_on_texts(train_texts)
x_train = tokenizer.texts_to_sequences(train_texts)
x_test = tokenizer.texts_to_sequences(test_texts)
print(len(x_train), 'train sequences')
print(len(x_test), 'test sequences')
print('Example:', train_texts[0], '->', int(y_train[0]))

print('Pad sequences (samples x time)')
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
print('x_train shape:', x_train.shape)
print('x_test shape:', x_test.shape)

print('Build model...')
model = Sequential()
model.add(Embedding(max_features, 32))
model.add(LSTM(32))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])

print('Train...')
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_data=(x_test, y_test))
score, acc = model.evaluate(x_test, y_test, batch_size=batch_size)
print('Test score:', score)
print('Test accuracy:', acc)
