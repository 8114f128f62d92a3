"""Rembuk's benchmarks: page weight and home-page server time, run with `python -m bench`.

Each benchmark builds its own throw-away app (temporary SQLite database, migrated and seeded
with the demo data) and drives it through Flask's test client; `bench.__main__` prints a table,
writes `bench/results/latest.json` and exits non-zero when a budget fails.
"""
