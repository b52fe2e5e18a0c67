"""Page objects for driving Label Studio's labeling UI in a real browser."""
