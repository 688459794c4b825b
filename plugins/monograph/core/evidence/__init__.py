"""The evidence model, its validation from front matter, the cross-page summary and its tables."""

#: The front-matter keys that hold evidence data; a page without any never loads the evidence
#: model (pydantic).
FRONT_MATTER_KEYS = ("evidence", "evidence_caveat", "claims")
