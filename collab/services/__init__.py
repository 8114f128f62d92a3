"""Domain logic. Services take plain values and models, flush but never commit, and never
touch the request; routes, socket handlers, CLI commands and tests all call them."""
