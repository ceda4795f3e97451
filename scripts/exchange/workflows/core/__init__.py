"""The bottom layer: what every other layer needs (errors, run states,
clock, JSON codec, argument checks). It imports nothing of the engine."""
