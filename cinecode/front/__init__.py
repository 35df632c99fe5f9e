"""The front door's own helpers: how the command line shows what the commands return."""
