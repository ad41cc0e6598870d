"""The `accel666` command line: a thin shell over the library, one command per library call."""
