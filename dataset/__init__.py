"""Building the ceasefire-news corpus: reading, cleaning, metadata, stories, versions, release."""
