"""The service's routes, one module per part of the programme."""
