"""Policy: signals and entity state → a verdict, actions and the reasons for them."""
