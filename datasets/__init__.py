"""The dataset cards, installed as the package ``kerasteach._cards`` (see pyproject)."""
