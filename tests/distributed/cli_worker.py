"""Run under `mpiexec -n N python cli_worker.py OUT`: `passos train` on a small stand-in
for Fashion-MNIST (bright blocks whose position is the class), data-parallel."""
import sys

import numpy as np


def load_data(path=None):
    rng = np.random.default_rng(0)

    def make(n):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 30, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 8, 4:24] = 250
        return images, labels
    return make(600), make(200)


if __name__ == "__main__":
    from passos.cli import main
    from passos.data import fashion_mnist
    fashion_mnist.load_data = load_data
    main(["train", "--epochs", "2", "--batch-size", "16", "--out", sys.argv[1],
          "--verbose", "2", "--optimizer", "sgd", "--lr", "0.05", *sys.argv[2:]])
