"""The notifiers that deliver escalations to the world outside the database."""
