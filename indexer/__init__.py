"""Ingest, chunk, embed and keep the search indexes in sync with the database."""
