"""Deadlines and escalation: the sweep that records overdue projects' escalations, the outbox
that delivers them with the notifiers it is given, the queries that read and answer them, their
records, and the Engine's part that offers all of it."""
