"""What every page shares: templates, static files, security headers and CSRF protection."""
