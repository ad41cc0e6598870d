"""The engine (`accel666.workflow`): the Engine and its parts, carrying out the programme's changes on
the database.

Host services import the public names from `accel666` itself."""
