"""The ground floor: reading user files safely (YAML with positions, hidden characters, RE2 patterns),
diagnostics at `file:line`, atomic writes, and the event base every layer publishes."""
