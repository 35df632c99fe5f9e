"""cinecode: build a film from a Fountain screenplay the way one builds software."""

__version__ = "0.1.0"
