"""School Logistics: a form and approval engine with a school logistics app on it."""
