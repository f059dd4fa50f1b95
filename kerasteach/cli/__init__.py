"""The ``kerasteach`` command line: one module per subcommand, ``main`` wires them."""
