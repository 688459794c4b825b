"""The print edition: one HTML document from every page, with links rewritten to point inside it."""
