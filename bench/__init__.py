"""Benchmarks of accel666 against bare-driver floors: `python -m bench` prints one line per figure.

See bench/README.md. Nothing here is imported by the library.
"""
