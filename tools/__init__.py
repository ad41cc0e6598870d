"""Tools for working on accel666 (not installed with it): the package assembled as it installs,
for the tools that read folders; the type check and the import contracts run over it; and the
parts of the documents written from the code (the layout tables, the import graph)."""
