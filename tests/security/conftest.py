"""The security suite: one module per class of attack, each reproducing the attack. Where a single
process would hide the fault, the test attacks the production-like site (tests/production.py)."""

from tests.production import production_site  # noqa: F401  (the fixture, by name)
