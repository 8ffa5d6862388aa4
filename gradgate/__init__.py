"""gradgate: the gradient-verification gate for hand-written layers.

One package, so that a project with its own `harness` or `cases` package can install it:
`gradgate.reference_impl` (the maths of each layer kind), `gradgate.cases` (what is checked: the
layer kinds, their grids and cases) and `gradgate.harness` (how it is checked, run and
reported: the engine, the oracles, the frameworks, the command line and the pytest plugin), each
importing only the ones before it (`lint-imports`).  Importing this package imports nothing else.
"""
