"""The commands of `accel666`, one module per group of commands, loaded when first run."""
