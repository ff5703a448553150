"""Decisions of the KI about duplicate records (merges and "not the same")."""
