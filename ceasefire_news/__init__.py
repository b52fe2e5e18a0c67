"""ceasefire-news: an annotated news corpus on ceasefire diplomacy in the Syrian war, and its tools.

The stages, in the one direction imports may run:

- :mod:`ceasefire_news.schema`: label vocabularies and record types, the single source of truth;
- :mod:`ceasefire_news.dataset.corpus`: raw articles to a versioned corpus in the workspace;
- :mod:`ceasefire_news.labeling`: Label Studio: config, tasks, push, pull, import, integrity;
- :mod:`ceasefire_news.dataset.release`: adjudication, agreement, splits, Parquet, card, validation;
- :mod:`ceasefire_news.cli`: the ``ceasefire-news`` command line over all of them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ceasefire-news")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0.0.0"
