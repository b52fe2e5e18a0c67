"""The corpus and its release: two stages in two layers, each its own subpackage.

:mod:`ceasefire_news.dataset.corpus` builds corpus versions from raw articles (it sits below
labeling); :mod:`ceasefire_news.dataset.release` turns a corpus version and the annotation log
into a release (it sits above labeling). ``seeds/`` holds the embedded raw articles.
"""
