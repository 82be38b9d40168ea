"""Themes: statements, embeddings in pgvector, clustering, labels, similar-feedback search."""
