"""Old module names of Conv2D (see `gradgate.harness.layers`)."""
