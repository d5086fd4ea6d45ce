"""The generated integrations; `create_app` installs each one."""
