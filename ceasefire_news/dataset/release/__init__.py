"""The release: adjudication, agreement, splits, rows, writers, card, Croissant, validation, publishing."""
