"""The stores: one module per aggregate, each owning the queries and column aliases of its
tables; the rest of the package calls them instead of writing SQL."""
