"""Shared plumbing for the 12345 hotline system: settings, database, event stream, CLI."""
