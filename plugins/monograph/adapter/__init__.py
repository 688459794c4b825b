"""The MkDocs adapter: plugin hooks, typed options, per-page contexts and the PDF writer."""
