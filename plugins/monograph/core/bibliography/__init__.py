"""Bibliography loading (pybtex, cached) and the checks of its entries against the citations."""
