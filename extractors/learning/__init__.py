"""Learning and measuring the tagger, apart from the components that run it.

`split` holds back the test part of the labelled real-news corpus; `train` fits the text models
and chooses the policy (`python -m extractors.learning.train`); `distill` rebuilds the static
encoder; `evaluate` scores predictions against labelled items (`econsec eval`). The tagger never
imports this package at run time.
"""
