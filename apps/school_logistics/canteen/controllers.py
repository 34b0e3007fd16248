"""Controllers of the 食堂 DocTypes."""
