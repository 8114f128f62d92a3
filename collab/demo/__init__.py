"""The demo schools: `flask seed-demo` writes them through the features' own services."""
