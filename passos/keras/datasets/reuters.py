"""Reuters newswires in 46 topics: keras.datasets.reuters.load_data and get_word_index."""
from ...data.word_sequences import get_word_index as _get_word_index
from ...data.word_sequences import load_reuters as load_data

__all__ = ["load_data", "get_word_index"]


def get_word_index(path="reuters_word_index.json"):
    """{word: index} of the newswires' words (load_data shifts indices by index_from)."""
    return _get_word_index("reuters_word_index.json", "reuters.get_word_index", path)
