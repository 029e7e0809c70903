"""Code every app shares (sentiment, NER, language models): datasets, training, bundles, export, CLI."""

import os

LOOPBACK = "127.0.0.1"  # the address every server this project starts is given

# TensorFlow's C++ start-up chatter (CPU feature notices) buries our own messages.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def import_tensorflow_quietly():
    """Import TensorFlow with its native start-up log lines (written to fd 2) discarded."""
    import sys

    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow
