"""`python -m cinecode`."""

from cinecode.entry import main

main()
