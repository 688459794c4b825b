"""Citation syntax, the registry of citations met during conversion, and site-wide numbering."""
