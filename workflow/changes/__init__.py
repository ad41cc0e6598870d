"""One change of one project: the state machine, the guards, input checks, the shared transition
path (authorise, guard, fire, log, compare-and-set), its log rows and events, and the acts on a
whole batch (publishing it, extending a window)."""
