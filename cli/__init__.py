"""The `accel666` command line: a thin shell over the `workflow` library."""
