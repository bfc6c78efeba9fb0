"""Small utilities every layer may use: random streams, the private scikit-learn names
skae relies on, and the shared parameter docs. Nothing here imports torch."""
