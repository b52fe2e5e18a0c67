"""The ``ceasefire-news`` command line: a thin layer over the Python API (see :mod:`.app`)."""
