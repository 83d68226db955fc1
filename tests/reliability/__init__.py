"""Reliability tests (a package, so their module names may repeat those elsewhere in tests/)."""
