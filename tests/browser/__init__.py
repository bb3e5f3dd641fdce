"""Checks of what a reader gets: the built site, served, in a real browser (Chromium)."""
