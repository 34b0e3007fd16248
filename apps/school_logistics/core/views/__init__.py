"""The desk: server-rendered pages for lists, forms, actions and files."""
