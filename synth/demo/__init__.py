"""`synth demo`: a whole review period on a sample organisation, through the real services."""
