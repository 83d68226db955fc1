"""The autodiff core: tensors, the dispatch point, the backward engine, shape rules."""
