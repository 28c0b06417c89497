"""The ``xingcun`` command: the composition root that joins shared/, the services and, in a
development checkout, the scenario. shared/ itself imports no service and no scenario."""
