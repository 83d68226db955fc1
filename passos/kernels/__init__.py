"""Array-only machinery below the ops: NumPy in, NumPy out, no passos imports.

parallel (the thread splitter) · threads (BLAS thread control) · windows
(padding, window views, batch chunks, scratch buffers) · im2col (convolution
as products) · pooling · conv_pool (cell-major conv+pool blocks) · arrays
(fast ReLU and column sums). The ops check arguments and shapes, then call these.
"""
