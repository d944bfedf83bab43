"""Who may do what: roles and their permissions, user accounts and console sessions,
API keys for services, and what each principal owns."""
