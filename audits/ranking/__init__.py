"""The weekly activity index (周榜, docs/design.md §8)."""
