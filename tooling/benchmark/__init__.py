"""The benchmarks of docs/benchmarks.md: ``data`` builds a province's registry in a throwaway
database, ``scenarios`` times each user's job against raw SQL, ``run`` reports them; ``trail`` times
many concurrent writers of the audit trail."""
