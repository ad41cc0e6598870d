"""The demo: batch 2020-1 played on a virtual clock, a user of the public API (`accel666`) only."""
