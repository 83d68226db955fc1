"""keras.preprocessing.text: words from text, hashing, and the Tokenizer (word indices, matrices).

>>> t = Tokenizer()
>>> t.fit_on_texts(["the cat sat", "the dog"])
>>> t.word_index["the"], t.texts_to_sequences(["dog and cat"])
(1, [[4, 2]])
"""
import json
import warnings
from collections import OrderedDict, defaultdict
from hashlib import md5

import numpy as np

from ... import arguments

__all__ = ["text_to_word_sequence", "one_hot", "hashing_trick", "Tokenizer", "tokenizer_from_json"]

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text, filters=FILTERS, lower=True, split=" "):
    """The words of `text`: lowercased, each character of `filters` turned into `split`."""
    if not isinstance(text, str):
        raise TypeError(f"text_to_word_sequence: text must be a string, got {arguments.got(text)}")
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in text.split(split) if word]


def hashing_trick(text, n, hash_function=None, filters=FILTERS, lower=True, split=" "):
    """The words of `text` as indices in [1, n) by hashing (collisions possible; 0 is never used).

    hash_function: Python's `hash` by default (varies between runs for strings), 'md5'
    for a stable one, or any function from a string to an int.
    """
    n = arguments.integer(n, "hashing_trick", "n", minimum=2)
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(word):
            return int(md5(word.encode()).hexdigest(), 16)
    return [hash_function(w) % (n - 1) + 1 for w in text_to_word_sequence(text, filters, lower, split)]


def one_hot(text, n, filters=FILTERS, lower=True, split=" "):
    """hashing_trick with Python's `hash`: the words of `text` as indices in [1, n)."""
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


class Tokenizer:
    """A vocabulary fit on texts: words indexed 1, 2, ... by falling frequency (ties by first
    appearance), texts turned into index sequences or (texts, num_words) matrices.

    num_words keeps only indices below it in sequences and matrices; oov_token (index 1
    when given) stands for unknown words; char_level makes every character a token.
    """

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, document_count=0, **kwargs):
        if "nb_words" in kwargs:
            warnings.warn("Tokenizer: nb_words has been renamed num_words")
            num_words = kwargs.pop("nb_words")
        if kwargs:
            raise TypeError(f"Tokenizer: unknown argument(s) {sorted(kwargs)}")
        if num_words is not None:
            num_words = arguments.integer(num_words, "Tokenizer", "num_words", minimum=0)
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.index_docs = defaultdict(int)
        self.filters, self.split, self.lower = filters, split, lower
        self.num_words, self.document_count = num_words, document_count
        self.char_level, self.oov_token = char_level, oov_token
        self.word_index, self.index_word = {}, {}

    def _tokens(self, text):
        """The tokens of one text: a list of tokens is taken as it is (lowercased if lower)."""
        if isinstance(text, list) or self.char_level:
            if isinstance(text, list):
                return [t.lower() for t in text] if self.lower else text
            return text.lower() if self.lower else text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of `texts` (strings, or lists of tokens) and rebuild word_index."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.fit_on_texts: texts must be a list of texts, got one string; "
                            "write [text]")
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        # sorted() is stable: words of equal count keep their order of first appearance
        ranked = [w for w, _ in sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)]
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + ranked
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Count in how many sequences each index appears (for tfidf without texts)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences_generator(self, texts):
        """Yield each text as a list of word indices (unknown or rare words dropped or OOV)."""
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            seq = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is None or self.num_words and i >= self.num_words:
                    i = oov
                if i is not None:
                    seq.append(i)
            yield seq

    def texts_to_sequences(self, texts):
        """Each text as a list of word indices."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.texts_to_sequences: texts must be a list of texts, got one "
                            "string; write [text]")
        return list(self.texts_to_sequences_generator(texts))

    def sequences_to_texts_generator(self, sequences):
        """Yield each sequence of indices as a text of words joined by spaces."""
        oov = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is None or self.num_words and i >= self.num_words:
                    word = None if oov is None else self.index_word[oov]
                if word is not None:
                    words.append(word)
            yield " ".join(words)

    def sequences_to_texts(self, sequences):
        """Each sequence of indices as a text."""
        return list(self.sequences_to_texts_generator(sequences))

    def texts_to_matrix(self, texts, mode="binary"):
        """A (len(texts), num_words) matrix; see sequences_to_matrix for the modes."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (len(sequences), num_words) matrix: entry [i, j] for index j in sequence i is
        'binary' 1, 'count' its count c, 'freq' c / len(sequence), 'tfidf'
        (1 + log c) * log(1 + documents / (1 + documents holding j))."""
        who = "Tokenizer.sequences_to_matrix"
        arguments.one_of(mode, who, "mode", MATRIX_MODES)
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError(f"{who}: give Tokenizer(num_words=...) or fit the tokenizer on some "
                             f"texts first")
        if mode == "tfidf" and not self.document_count:
            raise ValueError(f"{who}: mode 'tfidf' needs the tokenizer fit on some data first")
        x = np.zeros((len(sequences), width))
        for i, seq in enumerate(sequences):
            if not len(seq):
                continue
            index, counts = np.unique(np.asarray(seq, dtype=np.int64), return_counts=True)
            keep = index < width
            index, counts = index[keep], counts[keep]
            if mode == "binary":
                x[i, index] = 1
            elif mode == "count":
                x[i, index] = counts
            elif mode == "freq":
                x[i, index] = counts / len(seq)
            else:
                docs = np.array([self.index_docs.get(j, 0) for j in index.tolist()])
                x[i, index] = (1 + np.log(counts)) * np.log(1 + self.document_count / (1 + docs))
        return x

    def get_config(self):
        """The settings and counts, the dictionaries as JSON strings (as Keras writes them)."""
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower,
                "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
                "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string; tokenizer_from_json reads it back."""
        return json.dumps({"class_name": "Tokenizer", "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """The Tokenizer saved by Tokenizer.to_json."""
    config = dict(json.loads(json_string)["config"])
    counts = {name: json.loads(config.pop(name))
              for name in ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(counts["word_counts"])
    tokenizer.word_docs = defaultdict(int, counts["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in counts["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in counts["index_word"].items()}
    tokenizer.word_index = counts["word_index"]
    return tokenizer
