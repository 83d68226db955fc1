"""keras.preprocessing.sequence and .text against hand-computed Keras 2.2.4 outputs.

The image half (ImageDataGenerator, image files) is in test_preprocessing_image.py.
"""
import math

import numpy as np
import pytest

from passos.keras.preprocessing import sequence, text
from passos.keras.preprocessing.sequence import TimeseriesGenerator, pad_sequences
from passos.keras.preprocessing.text import Tokenizer

SEQS = [[1], [2, 3], [4, 5, 6]]


# -- pad_sequences ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, expected", [
    ({}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]]),
    ({"maxlen": 2}, [[0, 1], [2, 3], [5, 6]]),
    ({"maxlen": 2, "padding": "post", "truncating": "post"}, [[1, 0], [2, 3], [4, 5]]),
    ({"maxlen": 2, "padding": "pre", "truncating": "post"}, [[0, 1], [2, 3], [4, 5]]),
    ({"maxlen": 2, "padding": "post", "truncating": "pre"}, [[1, 0], [2, 3], [5, 6]]),
    ({"maxlen": 4, "padding": "post", "value": -1}, [[1, -1, -1, -1], [2, 3, -1, -1], [4, 5, 6, -1]]),
])
def test_pad_sequences_modes(kwargs, expected):
    out = pad_sequences(SEQS, **kwargs)
    assert out.dtype == np.int32
    assert out.tolist() == expected


def test_pad_sequences_dtypes_empty_rows_and_item_shapes():
    out = pad_sequences([[], [1.5]], dtype="float32", value=0.25)
    assert out.dtype == np.float32 and out.tolist() == [[0.25], [1.5]]
    words = pad_sequences([["a"], ["b", "c"]], dtype=object, value="x")
    assert words.tolist() == [["x", "a"], ["b", "c"]]
    vectors = pad_sequences([np.ones((1, 2)), np.ones((3, 2))], maxlen=2)
    assert vectors.shape == (2, 2, 2) and vectors[0].tolist() == [[0, 0], [1, 1]]


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="pad_sequences: padding must be 'pre' or 'post', got 'mid'"):
        pad_sequences(SEQS, padding="mid")
    with pytest.raises(ValueError, match="pad_sequences: truncating"):
        pad_sequences(SEQS, truncating="both")
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="item 1 is 3"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match=r"sequence 1 has items of shape \(3,\)"):
        pad_sequences([np.ones((1, 2)), np.ones((1, 3))])


# -- skipgrams, sampling table, TimeseriesGenerator -----------------------------------------------------
def test_skipgrams_pairs_and_negatives():
    couples, labels = sequence.skipgrams([1, 2, 0, 3], 5, window_size=2, negative_samples=0,
                                         shuffle=False)
    # 0 is a non-word: skipped as a centre and as a context
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]] and labels == [1, 1, 1, 1]
    couples, labels = sequence.skipgrams([1, 2, 3], 5, window_size=1, seed=3)
    assert len(couples) == 8 and sorted(labels) == [0] * 4 + [1] * 4
    assert all(1 <= b < 5 for (a, b), lab in zip(couples, labels) if lab == 0)
    assert (couples, labels) == sequence.skipgrams([1, 2, 3], 5, window_size=1, seed=3)
    _, onehot = sequence.skipgrams([1, 2], 3, negative_samples=0, categorical=True)
    assert onehot == [[0, 1], [0, 1]]


def test_make_sampling_table():
    table = sequence.make_sampling_table(4)
    # rank 1: f = 1e-5 * (1 * (log 1 + 0.577) + 0.5 - 1/12) and the probability is sqrt(f)
    assert table[0] == table[1] == pytest.approx(math.sqrt(1e-5 * (0.577 + 0.5 - 1 / 12)))
    assert table[1] < table[2] < table[3]  # rarer words are kept more often


def test_timeseries_generator_keras_example():
    data = np.array([[i] for i in range(50)])
    gen = TimeseriesGenerator(data, data, length=10, sampling_rate=2, batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    assert x.tolist() == [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]
    assert y.tolist() == [[10], [11]]
    x, y = TimeseriesGenerator(data, data, length=3, stride=2, reverse=True, batch_size=2)[1]
    assert x[:, :, 0].tolist() == [[6, 5, 4], [8, 7, 6]] and y[:, 0].tolist() == [7, 9]
    with pytest.raises(ValueError, match="TimeseriesGenerator: start_index \\+ length = 60"):
        TimeseriesGenerator(data, data, length=60)
    with pytest.raises(IndexError, match="out of range"):
        gen[20]


# -- text -------------------------------------------------------------------------------------------
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "cat cat dog"]


def test_text_to_word_sequence_and_hashing():
    assert text.text_to_word_sequence("Hello, World!  hi") == ["hello", "world", "hi"]
    assert text.text_to_word_sequence("a-b", filters="", split="-") == ["a", "b"]
    codes = text.hashing_trick("a b A", 10, hash_function="md5")
    assert codes[0] == codes[2] and all(1 <= c < 10 for c in codes)
    assert all(1 <= c < 7 for c in text.one_hot("one two three", 7))
    with pytest.raises(TypeError, match="text_to_word_sequence: text must be a string"):
        text.text_to_word_sequence(["a"])


def test_tokenizer_word_index_by_count_then_first_appearance():
    t = Tokenizer()
    t.fit_on_texts(TEXTS)
    # the: 3, cat: 3, dog: 2, then the once-seen words in the order they first appear
    assert list(t.word_index) == ["the", "cat", "dog", "sat", "on", "mat", "ate", "my", "homework"]
    assert list(t.word_index.values()) == list(range(1, 10))
    assert t.index_word[3] == "dog" and t.word_counts["cat"] == 3 and t.document_count == 3
    assert t.word_docs["cat"] == 2 and t.index_docs[1] == 2
    assert t.texts_to_sequences(["the zebra cat"]) == [[1, 2]]
    assert t.sequences_to_texts([[1, 2, 42]]) == ["the cat"]


def test_tokenizer_num_words_oov_and_char_level():
    t = Tokenizer(num_words=3, oov_token="<unk>")
    t.fit_on_texts(TEXTS)
    assert t.word_index["<unk>"] == 1 and t.word_index["the"] == 2
    assert t.texts_to_sequences(["the zebra cat"]) == [[2, 1, 1]]  # cat is index 3 >= num_words
    assert t.sequences_to_texts([[2, 3]]) == ["the <unk>"]
    plain = Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(["the cat dog sat"]) == [[1, 2]]
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["aAb"])
    assert chars.word_index == {"a": 1, "b": 2}
    tokens = Tokenizer()
    tokens.fit_on_texts([["New", "York"], ["york"]])
    assert tokens.word_index == {"york": 1, "new": 2}


def test_tokenizer_matrix_modes():
    t = Tokenizer()
    t.fit_on_texts(TEXTS)
    texts = ["the cat cat", "dog unknown"]  # sequences [1, 2, 2] and [3]
    log2 = math.log(2)
    expected = {
        "binary": {(0, 1): 1, (0, 2): 1, (1, 3): 1},
        "count": {(0, 1): 1, (0, 2): 2, (1, 3): 1},
        "freq": {(0, 1): 1 / 3, (0, 2): 2 / 3, (1, 3): 1.0},
        # (1 + log count) * log(1 + 3 documents / (1 + documents holding the word)): each word is
        # in 2 of the 3 documents, so the idf is log(2)
        "tfidf": {(0, 1): log2, (0, 2): (1 + log2) * log2, (1, 3): log2},
    }
    for mode, cells in expected.items():
        want = np.zeros((2, 10))
        for (i, j), v in cells.items():
            want[i, j] = v
        np.testing.assert_allclose(t.texts_to_matrix(texts, mode=mode), want, err_msg=mode)
    assert Tokenizer(num_words=3).sequences_to_matrix([[1, 5, 2]], "count").tolist() == [[0, 1, 1]]


def test_tokenizer_fit_on_sequences_json_and_errors():
    t = Tokenizer(num_words=4)
    t.fit_on_sequences([[1, 1, 2], [2]])
    assert t.document_count == 2 and t.index_docs[2] == 2
    np.testing.assert_allclose(t.sequences_to_matrix([[2]], "tfidf")[0, 2], math.log(1 + 2 / 3))
    fitted = Tokenizer(oov_token="?")
    fitted.fit_on_texts(TEXTS)
    again = text.tokenizer_from_json(fitted.to_json())
    assert again.word_index == fitted.word_index and again.index_word == fitted.index_word
    assert again.texts_to_sequences(["dog the x"]) == fitted.texts_to_sequences(["dog the x"])
    with pytest.raises(ValueError, match="Tokenizer.sequences_to_matrix: give Tokenizer"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="mode must be 'binary', 'count', 'tfidf' or 'freq'"):
        fitted.texts_to_matrix(["a"], mode="onehot")
    with pytest.raises(TypeError, match="got one string"):
        fitted.fit_on_texts("just one text")
    with pytest.raises(TypeError, match="Tokenizer: unknown argument"):
        Tokenizer(nums=3)
