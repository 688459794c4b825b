"""The MkDocs-free core: bibliography, citations, numbering, evidence model and checks."""
