"""Data sets and the file formats they come in: IDX (the MNIST format) and Fashion-MNIST."""
