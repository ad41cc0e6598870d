"""The operators' view: progress against the programme's targets, and the state diagram."""
