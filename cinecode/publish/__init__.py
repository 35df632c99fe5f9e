"""Publishing releases as a static web site (HLS + a player page)."""
