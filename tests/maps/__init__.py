"""Tests of the maps package: rendering, offline assets, and maps in a real browser."""
