"""The evidence model, its validation from front matter, the cross-page summary and its tables."""
