"""The engine (`accel666.workflow`): the Engine, its state machine, guards and storage, deadlines
and escalations. Host services import the public names from `accel666` itself."""
