"""Tests of activities against real databases."""
