"""Tools for developers that are not the product: the benchmark and the demo district. The management
commands that run them (``benchmark``, ``benchmark_trail``, ``seed_demo``) only read their arguments."""
