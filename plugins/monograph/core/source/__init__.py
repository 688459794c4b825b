"""Where things are in the sources: lines of citations in Markdown and of keys in front matter."""
