"""``python -m ceasefire_news``: the same as the ``ceasefire-news`` command."""

import sys

from ceasefire_news.cli.app import main

sys.exit(main())
