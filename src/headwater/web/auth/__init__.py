"""Who may use the web face: people (argon2 passwords, sessions) and machines (hashed bearer tokens)."""
