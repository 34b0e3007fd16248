"""Controllers of the 物资 DocTypes."""
