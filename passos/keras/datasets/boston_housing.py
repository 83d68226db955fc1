"""Boston house prices: keras.datasets.boston_housing.load_data(path, test_split, seed)."""
from ...data.mnist import load_boston_housing as load_data

__all__ = ["load_data"]
