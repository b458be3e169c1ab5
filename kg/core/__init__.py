"""What a thing is: the vocabulary, the frozen model values, the metagraph, text rendering, atomic
writes. No module here imports another subpackage."""
