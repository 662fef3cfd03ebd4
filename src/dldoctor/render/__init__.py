"""Rendering of results: human (rich, grouped, plain when not a terminal) and JSON (the contract)."""
