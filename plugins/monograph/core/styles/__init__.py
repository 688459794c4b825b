"""Reference styles (Vancouver) and the formatter that applies one to every entry."""
