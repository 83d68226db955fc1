"""CIFAR-100: 32x32 colour photos in 100 classes (20 coarse ones), keras.datasets.cifar100."""
from .cifar import load_channels_last

__all__ = ["load_data"]


def load_data(label_mode="fine"):
    """((x_train, y_train), (x_test, y_test)) with `label_mode` "fine" (100) or "coarse" (20)."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse', "
                         f"got {label_mode!r}")
    return load_channels_last("cifar100", label_key=label_mode + "_labels")
