"""Array-only machinery below the ops: thread splitting, BLAS thread control, window kernels.

Nothing here imports the rest of passos; the ops and the plan executor use it.
"""
