"""HTML for citations, reference lists, the site bibliography and the review date."""
