"""Controllers of the 维修 DocTypes."""
