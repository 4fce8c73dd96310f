"""Pure string algorithms (clean-up, sentences, numbers, word folding, ranking, grounding):
no I/O and no import of any other ``summarizer`` package, so each is testable on plain strings."""
