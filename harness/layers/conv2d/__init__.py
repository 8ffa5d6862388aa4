"""Old module names of Conv2D (see `harness.layers`)."""
