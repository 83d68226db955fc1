"""IMDB movie reviews, positive or negative: keras.datasets.imdb.load_data and get_word_index."""
from ...data.word_sequences import get_word_index as _get_word_index
from ...data.word_sequences import load_imdb as load_data

__all__ = ["load_data", "get_word_index"]


def get_word_index(path="imdb_word_index.json"):
    """{word: index} of the reviews' words (load_data shifts indices by index_from)."""
    return _get_word_index("imdb_word_index.json", "imdb.get_word_index", path)
