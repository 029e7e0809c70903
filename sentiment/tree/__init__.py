"""The tree architecture: a constituency Tree-LSTM over each text's parse (`trees`: the
trees a batch feeds it, `model`: the Keras model, `training`: its data and stages,
`evaluation`: its extra scores, every node's and the parser's brackets)."""
