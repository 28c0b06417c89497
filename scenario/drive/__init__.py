"""``drive``: make a generated scenario happen through the services' HTTP APIs."""
