"""Parsers: pure text -> typed value, or ParseError. Never a traceback."""
