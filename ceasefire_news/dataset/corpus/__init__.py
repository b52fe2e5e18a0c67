"""Building the corpus: read, clean, metadata, stories, versions, and the workspace they live in."""
