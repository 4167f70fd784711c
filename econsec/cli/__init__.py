"""The `econsec` command: thin wrappers over the library, each help ending in an example."""
