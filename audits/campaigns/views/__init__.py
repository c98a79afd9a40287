"""The campaign in the browser, one module per step (docs/design.md §1.3)."""
