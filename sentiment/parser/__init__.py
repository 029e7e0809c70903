"""The tree model's own constituency parser (`model`: the Keras parser and its training
stage, `taken`: a parser taken from another tree bundle).

`sentiment.parser` was one module; its names, asked of the package, still answer from
`sentiment.parser.model` with a DeprecationWarning.
"""

from shared.deprecation import moved_module

__getattr__ = moved_module(__name__, "sentiment.parser.model")
