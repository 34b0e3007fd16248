"""用户与部门: the school admin's accounts and departments, and everyone's own password."""
