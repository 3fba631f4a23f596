"""Knowledge base and Chinese hybrid search."""
