"""The sequence architecture: an embedding and a (Bi)LSTM/GRU read a text word by word
(`model`: the Keras model, raw strings in, probabilities out)."""
