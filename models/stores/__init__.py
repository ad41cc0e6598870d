"""The stores: one module per aggregate, each owning the queries and column aliases of its
tables; the rest of the package calls them instead of writing SQL."""

# How many rows a streaming read (a whole table, for the record's check) fetches at a time.
CHUNK = 5000
