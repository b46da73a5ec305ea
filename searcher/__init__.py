"""searcher: full-text search for Chinese news sites built with Jekyll."""
