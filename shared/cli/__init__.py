"""The ``xingcun`` command line."""
