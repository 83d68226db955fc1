"""The course's worked examples, computed by passos so tests, the CLI and `explain` share them."""
