"""Controllers of the 校产 DocTypes."""
